import type { UnfinishedDrill } from '../drills/unfinished-drills.js';

/**
 * How long a request has to put its drill's job on the queue after writing the drill to the log:
 * a drill this young with no job is on its way, not an orphan.
 */
export const REQUEST_GRACE_MS = 2_000;

/**
 * The unfinished drills that nothing will ever run unless they are queued again: no live job
 * carries them (the queue's Redis lost its data, or their job ended while the drill did not),
 * this process is not running them right now, and they are not requests still queuing their job.
 * The log decides what is unfinished; the queue only says what is already on its way.
 */
export function orphanedDrills(
  unfinished: readonly UnfinishedDrill[],
  drillsWithLiveJobs: ReadonlySet<string>,
  runningHere: ReadonlySet<string>,
  now: number,
): UnfinishedDrill[] {
  return unfinished.filter(
    (drill) =>
      !drillsWithLiveJobs.has(drill.id) &&
      !runningHere.has(drill.id) &&
      !(drill.status === 'queued' && now - Date.parse(drill.requestedAt) < REQUEST_GRACE_MS),
  );
}
