import type { DrillSummaryRepository, LastDrill } from '../drills/drill-summary.repository.js';

/** Step durations span a few milliseconds (a kill) to seconds (a failback). */
export const STEP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface AuditSnapshot {
  readonly drills: { target: string; scenario: string; trigger: string; status: string; n: number }[];
  /** Per step and target: cumulative counts for each bucket of `STEP_BUCKETS_SECONDS`, the count and the sum. */
  readonly steps: { step: string; target: string; buckets: number[]; count: number; sumSeconds: number }[];
  readonly lastDrills: LastDrill[];
}

/** What the metrics show, in three aggregate queries over the projections. */
export function auditSnapshot(summaries: DrillSummaryRepository): AuditSnapshot {
  return {
    drills: summaries.countsByOutcome(),
    steps: summaries.stepHistograms(STEP_BUCKETS_SECONDS),
    lastDrills: summaries.lastFinishedPerTarget(),
  };
}
