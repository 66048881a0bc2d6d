/** Thrown by `Teardown.add` once the teardown has begun: nothing new may start then. */
export class TeardownBegunError extends Error {
  constructor(what: string) {
    super(`not starting ${what}: interrupted, cleaning up`);
    this.name = 'TeardownBegunError';
  }
}

/**
 * What a script has started, undone in reverse order when it ends, whether it finishes, fails or
 * is interrupted (SIGINT, SIGTERM, SIGHUP). Each undo is registered before the thing it undoes
 * starts, and waits for that start to settle, so that an interruption in the middle of a start
 * leaves nothing behind either.
 */
export class Teardown {
  private readonly undos: { what: string; undo: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /**
   * Exits with 130 after the teardown on the first of these signals. The handlers stay: a second
   * Ctrl-C (or a wrapper passing the signal on again) must not end the process halfway through.
   */
  onSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (this.running) {
          return;
        }
        this.log(`${signal}: interrupted`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }

  /** Registers how to undo `what`; throws `TeardownBegunError` when the teardown has begun. */
  add(what: string, undo: () => Promise<unknown>): void {
    if (this.running) {
      throw new TeardownBegunError(what);
    }
    this.undos.push({ what, undo });
  }

  /** Undoes everything registered, last first, once; a failed undo is reported and the others still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { what, undo } of this.undos.reverse()) {
        this.log(`cleaning up: ${what}`);
        await undo().catch((error: unknown) =>
          this.log(`cleaning up ${what} failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    })();
    return this.running;
  }
}
