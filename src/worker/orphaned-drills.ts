import type { UnfinishedDrill } from '../drills/unfinished-drills.js';

/**
 * The unfinished drills that nothing will ever run unless they are queued again: no live job
 * carries them (the queue's Redis lost its data, or their job ended while the drill did not), and
 * this process is not running them right now. The log decides what is unfinished; the queue only
 * says what is already on its way.
 */
export function orphanedDrills(
  unfinished: readonly UnfinishedDrill[],
  drillsWithLiveJobs: ReadonlySet<string>,
  runningHere: ReadonlySet<string>,
): UnfinishedDrill[] {
  return unfinished.filter((drill) => !drillsWithLiveJobs.has(drill.id) && !runningHere.has(drill.id));
}
