/** How a worker's hold on a drill's job shares out `WORKER_LEASE_MS`. */
export interface TakeoverTiming {
  /** BullMQ's `lockDuration`: how long a job's lock lives without renewal. */
  readonly jobLockMs: number;
  /** BullMQ's `lockRenewTime`: how often the worker renews its jobs' locks. */
  readonly jobLockRenewMs: number;
  /** BullMQ's `stalledInterval`: how often some worker looks for jobs whose lock lapsed. */
  readonly stalledCheckMs: number;
}

/**
 * The job lock and the stalled-job check, derived from `WORKER_LEASE_MS` so that another worker
 * takes over the drill of a worker that died (SIGKILL, a lost machine) within it.
 *
 * BullMQ's stalled check is two-phase, on Redis and on PostgreSQL alike: a pass reclaims the
 * active jobs that the previous pass marked and whose lock has lapsed, then marks every active
 * job for the next pass. A worker that dies right after renewing its lock leaves it for
 * `jobLockMs`; a pass has marked the job by then (passes come every `stalledCheckMs`, shorter
 * than the lock), and the first pass after the lock lapsed, at most `stalledCheckMs` later, puts
 * the job back, where an idle worker takes it at once. Lock and check together take four fifths
 * of the lease, which leaves the last fifth for the new worker to take the job and resume the
 * drill. The target's lease needs no share of it: a worker resuming a drill takes over that
 * drill's own lease at once, with a larger fencing token.
 *
 * A live worker renews its locks every fifth of the lease, so a lock lapses under a live worker
 * only when the worker, or the queue's store, stalls for two fifths of the lease: then another
 * worker resumes the drill, and the fencing token stops the first one before its next step.
 */
export function takeoverTiming(workerLeaseMs: number): TakeoverTiming {
  const fifth = Math.floor(workerLeaseMs / 5);
  return { jobLockMs: 3 * fifth, jobLockRenewMs: fifth, stalledCheckMs: fifth };
}
