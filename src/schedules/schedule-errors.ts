import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error.js';

export class ScheduleNotFoundError extends AppError {
  readonly code = 'SCHEDULE_NOT_FOUND';
  override readonly httpStatus = HttpStatus.NOT_FOUND;

  constructor(readonly scheduleId: string) {
    super(`no schedule with id ${scheduleId}`);
  }
}

export class ScheduleNameTakenError extends AppError {
  readonly code = 'SCHEDULE_NAME_TAKEN';
  override readonly httpStatus = HttpStatus.CONFLICT;

  constructor(readonly scheduleName: string) {
    super(`a schedule named ${JSON.stringify(scheduleName)} already exists`);
  }
}
