/** What a benchmark takes from one drill it ran to success. */
export interface CycleFigures {
  readonly killToOk: number;
  readonly clientRto: number;
  readonly lostAcked: number;
  readonly killToRedundant: number;
  /** NaN for a drill with no failback. */
  readonly failback: number;
  readonly whole: number;
}

/** The figures of a succeeded drill, from its timings and its probe's report (as the runner or the API gives them). */
export function cycleFigures(
  timings: {
    readonly killToServingMs?: number;
    readonly killToRedundantMs?: number;
    readonly failbackMs?: number;
    readonly totalMs?: number;
  },
  probe: { readonly clientRtoMs: number; readonly lostAckedWrites: number },
): CycleFigures {
  return {
    killToOk: timings.killToServingMs!,
    clientRto: probe.clientRtoMs,
    lostAcked: probe.lostAckedWrites,
    killToRedundant: timings.killToRedundantMs!,
    failback: timings.failbackMs ?? Number.NaN,
    whole: timings.totalMs!,
  };
}
