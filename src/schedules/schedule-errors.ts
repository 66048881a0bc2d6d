export class ScheduleNotFoundError extends Error {
  constructor(readonly scheduleId: string) {
    super(`no schedule with id ${scheduleId}`);
    this.name = 'ScheduleNotFoundError';
  }
}

export class ScheduleNameTakenError extends Error {
  constructor(readonly scheduleName: string) {
    super(`a schedule named ${JSON.stringify(scheduleName)} already exists`);
    this.name = 'ScheduleNameTakenError';
  }
}
