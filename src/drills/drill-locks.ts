/** A worker's hold on a target, fenced by a token that grows with every new holder. */
export interface TargetLease {
  readonly token: number;
  /** Throws unless the lease still holds the target. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
  /**
   * Lets go of the lease but keeps the target reserved for the same drill for `ms`: for a drill
   * interrupted between steps, so that no other drill takes the target before it resumes.
   */
  holdForResume(ms: number): Promise<void>;
}

export type LeaseResult =
  | { readonly acquired: true; readonly lease: TargetLease }
  | { readonly acquired: false; readonly holder: { readonly drillId: string; readonly token?: number } };

/** Grants one drill at a time per target. */
export interface DrillLocks {
  /** `minToken`: the lease's fencing token is at least this (one past the token the drill's log last recorded). */
  acquire(target: string, drillId: string, minToken?: number): Promise<LeaseResult>;
  /** Lets go of the target for a drill that ends without ever taking the lease. */
  cancelReservation(target: string, drillId: string): Promise<void>;
}

/** For a single runner with nothing to coordinate with, as in unit tests: every target is free. */
export const UNCOORDINATED: DrillLocks = {
  acquire: async () => ({
    acquired: true,
    lease: { token: 0, assertHeld: async () => undefined, release: async () => undefined, holdForResume: async () => undefined },
  }),
  cancelReservation: async () => undefined,
};
