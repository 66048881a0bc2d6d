import type { UpsertKeys } from '../database/upsert.js';
import type { DrillRow, DrillStepRow } from './drill-summary.entity.js';
import type { DrillFilter, StepHistogram } from './drill-summary.reader.js';

/*
 * What the SQLite and PostgreSQL repositories of the drill summary say alike; each passes in its
 * own placeholders. What differs by dialect (aggregates, casts, index hints) stays in each.
 */

/** A drill's row is written again at every append; what the request set stays as it was. */
export const DRILL_UPSERT: UpsertKeys<DrillRow> = {
  key: ['id'],
  kept: ['scenario', 'target', 'trigger', 'scheduleId', 'actor', 'requestedAt', 'options'],
};

/** A step's row likewise: its place in the plan and the drill's request stay as they were. */
export const STEP_UPSERT: UpsertKeys<DrillStepRow> = {
  key: ['drillId', 'name'],
  kept: ['requestedAt', 'target', 'ordinal'],
};

const FILTERED_FIELDS = ['status', 'scenario', 'target'] as const;

/**
 * A page of drills newest first (by request time, then id), filtered; `parameter` takes each value
 * in order and returns its placeholder.
 */
export function drillPageQuery(drillColumns: string, filter: DrillFilter, parameter: (value: unknown) => string): string {
  const conditions: string[] = [];
  for (const field of FILTERED_FIELDS) {
    if (filter[field] !== undefined) {
      conditions.push(`${field} = ${parameter(filter[field])}`);
    }
  }
  if (filter.from !== undefined) {
    conditions.push(`requested_at >= ${parameter(filter.from)}`);
  }
  if (filter.to !== undefined) {
    conditions.push(`requested_at <= ${parameter(filter.to)}`);
  }
  if (filter.before !== undefined) {
    conditions.push(`(requested_at, id) < (${parameter(filter.before.requestedAt)}, ${parameter(filter.before.id)})`);
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return `SELECT ${drillColumns} FROM drills ${where} ORDER BY requested_at DESC, id DESC LIMIT ${parameter(filter.limit)}`;
}

/** A histogram row as both dialects select it: the bucket counts in columns `b0`, `b1`, … */
export type HistogramRow = Record<string, number> & { step: string; target: string; count: number; sumSeconds: number };

/** The histograms of the rows selected with a column `b<i>` for each of `bucketsSeconds`. */
export function stepHistograms(rows: readonly HistogramRow[], bucketsSeconds: readonly number[]): StepHistogram[] {
  return rows.map((row) => ({
    step: row.step,
    target: row.target,
    count: row.count,
    sumSeconds: row.sumSeconds,
    buckets: bucketsSeconds.map((_, index) => row[`b${index}`] ?? 0),
  }));
}
