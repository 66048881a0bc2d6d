export class TargetBusyError extends Error {
  constructor(
    readonly target: string,
    readonly runningDrillId: string,
  ) {
    super(`target ${target} is busy with drill ${runningDrillId}; retry when it has finished, or ask to wait with "waitForTarget": true`);
    this.name = 'TargetBusyError';
  }
}

export class DrillFinishedError extends Error {
  constructor(
    readonly drillId: string,
    readonly status: string,
  ) {
    super(`drill ${drillId} has already ${status}; there is nothing to abort`);
    this.name = 'DrillFinishedError';
  }
}
