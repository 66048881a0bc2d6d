import type { DrillSummaryReader, LastDrill, OutcomeCount, StepHistogram } from '../drills/drill-summary.reader.js';

/** Step durations span a few milliseconds (a kill) to seconds (a failback). */
export const STEP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface AuditSnapshot {
  readonly drills: OutcomeCount[];
  /** Per step and target: cumulative counts for each bucket of `STEP_BUCKETS_SECONDS`, the count and the sum. */
  readonly steps: StepHistogram[];
  readonly lastDrills: LastDrill[];
}

/** What the metrics show, in three aggregate queries over the projections. */
export async function auditSnapshot(summaries: DrillSummaryReader): Promise<AuditSnapshot> {
  const [drills, steps, lastDrills] = await Promise.all([
    summaries.countsByOutcome(),
    summaries.stepHistograms(STEP_BUCKETS_SECONDS),
    summaries.lastFinishedPerTarget(),
  ]);
  return { drills, steps, lastDrills };
}
