import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock.js';
import { STEP_NAMES, type StepName } from '../drills/scenarios.js';
import { sqliteHandle, type SqliteDatabase } from '../events/sqlite.js';
import type { OutcomeStatsDto, StepStatsQueryDto, StepStatsReportDto } from './step-stats.dto.js';

const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** A report is reused while no event has been appended, for at most this long. */
const CACHE_TTL_MS = 5_000;
const CACHE_ENTRIES = 64;

interface Window {
  from: string;
  to: string;
  target: string | null;
}

interface Outcome {
  name: string;
  finished: number;
  succeeded: number;
  min: number | null;
  max: number | null;
}

const IN_WINDOW = `requested_at >= @from AND requested_at <= @to AND (@target IS NULL OR target = @target)`;

/**
 * Count, success rate and min / p50 / p95 / max duration per step and for whole drills, over the
 * drills requested in a window. Percentiles are exact nearest-rank values, read by offset from
 * indexes sorted by duration, so that nothing is sorted or copied row by row per request.
 */
@Injectable()
export class StepStats {
  private readonly db: SqliteDatabase;
  private readonly statements: {
    head: Statement<[], { position: number | null }>;
    steps: Statement<[Window], { name: string; status: string; runs: number; min: number | null; max: number | null }>;
    stepAt: Statement<[Window & { name: string; offset: number }], number>;
    stepFromTop: Statement<[Window & { name: string; offset: number }], number>;
    drills: Statement<[Window], Outcome>;
    drillAt: Statement<[Window & { offset: number }], number>;
    drillFromTop: Statement<[Window & { offset: number }], number>;
  };
  private readonly cache = new Map<string, { position: number; computedAt: number; report: StepStatsReportDto }>();

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.db = sqliteHandle(dataSource);
    this.statements = {
      head: this.db.prepare('SELECT MAX(position) AS position FROM drill_events'),
      // Grouped in the rank index's own order, so that SQLite counts without sorting.
      steps: this.db.prepare(
        `SELECT name, status, COUNT(*) AS runs, MIN(duration_ms) AS min, MAX(duration_ms) AS max
         FROM drill_steps INDEXED BY drill_steps_rank
         WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed')
         GROUP BY name, status`,
      ),
      stepAt: this.stepRank('ASC'),
      stepFromTop: this.stepRank('DESC'),
      drills: this.db.prepare(
        `SELECT '' AS name, COUNT(*) AS finished, SUM(status = 'succeeded') AS succeeded,
           MIN(CASE WHEN status = 'succeeded' THEN total_ms END) AS min, MAX(CASE WHEN status = 'succeeded' THEN total_ms END) AS max
         FROM drills WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed', 'aborted')`,
      ),
      drillAt: this.drillRank('ASC'),
      drillFromTop: this.drillRank('DESC'),
    };
  }

  /** The value `offset` places from the shortest (ASC) or the longest (DESC) successful duration of a step. */
  private stepRank(order: 'ASC' | 'DESC') {
    return this.db
      .prepare(
        `SELECT duration_ms FROM drill_steps INDEXED BY drill_steps_rank
         WHERE name = @name AND status = 'succeeded' AND ${IN_WINDOW}
         ORDER BY duration_ms ${order} LIMIT 1 OFFSET @offset`,
      )
      .pluck() as Statement<[Window & { name: string; offset: number }], number>;
  }

  private drillRank(order: 'ASC' | 'DESC') {
    return this.db
      .prepare(
        `SELECT total_ms FROM drills INDEXED BY drills_rank
         WHERE status = 'succeeded' AND ${IN_WINDOW}
         ORDER BY total_ms ${order} LIMIT 1 OFFSET @offset`,
      )
      .pluck() as Statement<[Window & { offset: number }], number>;
  }

  report(query: StepStatsQueryDto): StepStatsReportDto {
    const key = JSON.stringify([query.from ?? null, query.to ?? null, query.target ?? null]);
    const position = this.statements.head.get()?.position ?? 0;
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.position === position && now - cached.computedAt < CACHE_TTL_MS) {
      return cached.report;
    }
    const report = this.compute(query, now);
    this.cache.delete(key);
    this.cache.set(key, { position, computedAt: now, report });
    if (this.cache.size > CACHE_ENTRIES) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return report;
  }

  /** The report straight from the tables, bypassing the cache. */
  compute(query: StepStatsQueryDto, now = this.clock.now()): StepStatsReportDto {
    const to = query.to === undefined ? new Date(now) : new Date(query.to);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS) : new Date(query.from);
    if (from > to) {
      throw new BadRequestException('from must not be later than to');
    }
    const window: Window = { from: from.toISOString(), to: to.toISOString(), target: query.target ?? null };
    const drills = this.statements.drills.get(window)!;
    return {
      from: window.from,
      to: window.to,
      ...(query.target ? { target: query.target } : {}),
      drills: outcome(drills, (rank, fromTop) =>
        (fromTop ? this.statements.drillFromTop : this.statements.drillAt).get({ ...window, offset: rank }),
      ),
      steps: stepOutcomes(this.statements.steps.all(window)).map((row) => ({
        name: row.name as StepName,
        ...outcome(row, (rank, fromTop) =>
          (fromTop ? this.statements.stepFromTop : this.statements.stepAt).get({ ...window, name: row.name, offset: rank }),
        ),
      })),
    };
  }
}

/** One outcome per step, in plan order, from the counts per step and status. */
function stepOutcomes(rows: readonly { name: string; status: string; runs: number; min: number | null; max: number | null }[]): Outcome[] {
  const byName = new Map<string, Outcome>();
  for (const row of rows) {
    const outcome = byName.get(row.name) ?? { name: row.name, finished: 0, succeeded: 0, min: null, max: null };
    outcome.finished += row.runs;
    if (row.status === 'succeeded') {
      Object.assign(outcome, { succeeded: row.runs, min: row.min, max: row.max });
    }
    byName.set(row.name, outcome);
  }
  const order = (name: string) => STEP_NAMES.indexOf(name as StepName);
  return [...byName.values()].sort((left, right) => order(left.name) - order(right.name));
}

/**
 * Rates the outcomes and picks the nearest-rank percentiles of the successful durations. A rank in
 * the upper half is read from the top of the index, so that no percentile walks more than half of it.
 */
function outcome(row: Outcome, durationAt: (offset: number, fromTop: boolean) => number | undefined): OutcomeStatsDto {
  const succeeded = row.succeeded ?? 0;
  const rank = (fraction: number) => {
    const index = Math.max(0, Math.ceil(fraction * succeeded) - 1);
    return index < succeeded / 2 ? durationAt(index, false) : durationAt(succeeded - 1 - index, true);
  };
  return {
    count: row.finished,
    successRate: row.finished === 0 ? 0 : succeeded / row.finished,
    ...(succeeded > 0 && row.min !== null && row.max !== null
      ? { durationMs: { min: row.min, p50: rank(0.5)!, p95: rank(0.95)!, max: row.max } }
      : {}),
  };
}
