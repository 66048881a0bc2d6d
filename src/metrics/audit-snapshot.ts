import type { SqliteDatabase } from '../events/sqlite.js';

/** Step durations span a few milliseconds (a kill) to seconds (a failback). */
export const STEP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface LastDrillRow {
  target: string;
  status: string;
  finished_at: string;
  kill_to_serving_ms: number | null;
  kill_to_redundant_ms: number | null;
  client_rto_ms: number | null;
  lost_acked_writes: number | null;
}

export interface AuditSnapshot {
  readonly drills: { target: string; scenario: string; trigger: string; status: string; n: number }[];
  /** Per step and target: cumulative counts for each bucket of `STEP_BUCKETS_SECONDS`, the count and the sum. */
  readonly steps: { step: string; target: string; buckets: number[]; count: number; sumSeconds: number }[];
  readonly lastDrills: LastDrillRow[];
}

/** What the metrics show, in three aggregate queries over the projections. */
export function auditSnapshot(db: SqliteDatabase): AuditSnapshot {
  const drills = db
    .prepare('SELECT target, scenario, trigger, status, COUNT(*) AS n FROM drills GROUP BY target, scenario, trigger, status')
    .all() as AuditSnapshot['drills'];
  const bucketColumns = STEP_BUCKETS_SECONDS.map((le, index) => `SUM(duration_ms <= ${le * 1000}) AS b${index}`).join(', ');
  const stepRows = db
    .prepare(
      `SELECT name AS step, target, COUNT(*) AS count, SUM(duration_ms) / 1000.0 AS sumSeconds, ${bucketColumns}
         FROM drill_steps WHERE status = 'succeeded' AND duration_ms IS NOT NULL GROUP BY name, target`,
    )
    .all() as (Record<string, number> & { step: string; target: string; count: number; sumSeconds: number })[];
  const steps = stepRows.map((row) => ({
    step: row.step,
    target: row.target,
    count: row.count,
    sumSeconds: row.sumSeconds,
    buckets: STEP_BUCKETS_SECONDS.map((_, index) => row[`b${index}`] ?? 0),
  }));
  const lastDrills = db
    .prepare(
      `SELECT d.target, d.status, d.finished_at, d.kill_to_serving_ms, d.kill_to_redundant_ms, d.client_rto_ms, d.lost_acked_writes
         FROM drills AS d
         JOIN (SELECT target, MAX(finished_at) AS last FROM drills WHERE finished_at IS NOT NULL GROUP BY target) AS latest
           ON d.target = latest.target AND d.finished_at = latest.last`,
    )
    .all() as LastDrillRow[];
  return { drills, steps, lastDrills };
}
