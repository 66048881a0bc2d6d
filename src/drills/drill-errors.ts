import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error.js';

export class TargetBusyError extends AppError {
  readonly code = 'TARGET_BUSY';
  override readonly httpStatus = HttpStatus.CONFLICT;

  constructor(
    readonly target: string,
    readonly runningDrillId: string,
  ) {
    super(`target ${target} is busy with drill ${runningDrillId}; retry when it has finished, or ask to wait with "waitForTarget": true`);
  }

  override toResponse() {
    return { message: this.message, runningDrillId: this.runningDrillId };
  }
}

export class DrillFinishedError extends AppError {
  readonly code = 'DRILL_FINISHED';
  override readonly httpStatus = HttpStatus.CONFLICT;

  constructor(
    readonly drillId: string,
    readonly status: string,
  ) {
    super(`drill ${drillId} has already ${status}; there is nothing to abort`);
  }
}
