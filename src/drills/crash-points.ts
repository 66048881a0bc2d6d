/**
 * Fault injection for the crash-safety tests: when `DRILL_CRASH_AT` names a point such as
 * `kill:after-signals`, the process SIGKILLs itself on reaching it, exactly as a crash there
 * would end it. Unset in normal operation, where reaching a point does nothing.
 */
export class CrashPoints {
  constructor(private readonly crashAt: string | undefined) {}

  reach(point: string): void {
    if (point === this.crashAt) {
      process.kill(process.pid, 'SIGKILL');
    }
  }
}

export const NO_CRASH_POINTS = new CrashPoints(undefined);
