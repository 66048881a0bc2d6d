import type { DrillLocks, LeaseResult } from './drill-locks.js';

/** A drill the audit log says is not finished: requested and not yet run, or started and not ended. */
export interface UnfinishedDrill {
  readonly id: string;
  readonly target: string;
  readonly status: 'queued' | 'running';
  readonly requestedAt: string;
}

/**
 * The drill that holds a target in the log's eyes: a drill that has started (it may be past its
 * kill, and must finish first), else the earliest requested of the target's unfinished drills;
 * ties broken by id so that every instance agrees. Whatever the queue's Redis remembers, a new
 * request waits for it or is refused.
 */
export function holderInLog(unfinished: readonly UnfinishedDrill[], target: string): UnfinishedDrill | undefined {
  return unfinished
    .filter((drill) => drill.target === target)
    .sort(
      (one, other) =>
        Number(other.status === 'running') - Number(one.status === 'running') ||
        one.requestedAt.localeCompare(other.requestedAt) ||
        one.id.localeCompare(other.id),
    )[0];
}

/** Where the locks read the log's unfinished drills on a target. */
export type UnfinishedOn = (target: string) => Promise<readonly UnfinishedDrill[]>;

/**
 * The target locks with the audit log in front: a drill takes its target only when no other drill
 * has started there and not finished, so that losing the queue's Redis (and the leases in it)
 * never lets two drills run on one target. Between drills that have not started, the locks in
 * Redis decide as before (a request's reservation), and fence workers with their tokens.
 */
export class LogFirstLocks implements DrillLocks {
  constructor(
    private readonly locks: DrillLocks,
    private readonly unfinishedOn: UnfinishedOn,
  ) {}

  async acquire(target: string, drillId: string, minToken?: number): Promise<LeaseResult> {
    const started = (await this.unfinishedOn(target)).filter((drill) => drill.status === 'running' && drill.id !== drillId);
    const holder = holderInLog(started, target);
    if (holder) {
      return { acquired: false, holder: { drillId: holder.id } };
    }
    return this.locks.acquire(target, drillId, minToken);
  }

  cancelReservation(target: string, drillId: string): Promise<void> {
    return this.locks.cancelReservation(target, drillId);
  }
}
