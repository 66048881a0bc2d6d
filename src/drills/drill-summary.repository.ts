import { Inject, Injectable } from '@nestjs/common';
import type { UnfinishedDrill } from './unfinished-drills.js';
import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { selectColumns, sqliteHandle, type SqliteDatabase } from '../database/sqlite.js';
import { upsertStatement } from '../database/upsert.js';
import { DrillRow, DrillStepRow } from './drill-summary.entity.js';
import { DRILL_UPSERT, drillPageQuery, STEP_UPSERT, stepHistograms, type HistogramRow } from './drill-summary.sql.js';
import {
  DrillSummaryReader,
  type DrillFilter,
  type LastDrill,
  type OutcomeCount,
  type OutcomeCounts,
  type RequestWindow,
  type StepCounts,
  type StepHistogram,
} from './drill-summary.reader.js';

const IN_WINDOW = `requested_at >= @from AND requested_at <= @to AND (@target IS NULL OR target = @target)`;

/**
 * The `drills` and `drill_steps` tables of the drill summary projection, in SQLite. The projection
 * alone writes them, synchronously inside the event store's appends; history, statistics, metrics
 * and the kill switch read them.
 */
@Injectable()
export class DrillSummaryRepository extends DrillSummaryReader {
  private readonly db: SqliteDatabase;
  private readonly drillColumns: string;
  private readonly statements: {
    upsertDrill: Statement<[DrillRow]>;
    upsertStep: Statement<[DrillStepRow]>;
    drill: Statement<[string], DrillRow>;
    steps: Statement<[string], DrillStepRow>;
    unfinished: Statement<[{ target: string | null }], UnfinishedDrill>;
    stepCounts: Statement<[RequestWindow], StepCounts>;
    stepDuration: Record<'ASC' | 'DESC', Statement<[RequestWindow & { name: string; offset: number }], number>>;
    drillCounts: Statement<[RequestWindow], OutcomeCounts>;
    drillDuration: Record<'ASC' | 'DESC', Statement<[RequestWindow & { offset: number }], number>>;
    countsByOutcome: Statement<[], OutcomeCount>;
    lastFinished: Statement<[], LastDrill>;
  };

  constructor(@Inject(DataSource) dataSource: DataSource) {
    super();
    this.db = sqliteHandle(dataSource);
    this.drillColumns = selectColumns(dataSource, DrillRow);
    const db = this.db;
    this.statements = {
      upsertDrill: db.prepare(upsertStatement(dataSource, DrillRow, DRILL_UPSERT, (field) => `@${field}`).sql),
      upsertStep: db.prepare(upsertStatement(dataSource, DrillStepRow, STEP_UPSERT, (field) => `@${field}`).sql),
      drill: db.prepare(`SELECT ${this.drillColumns} FROM drills WHERE id = ?`),
      steps: db.prepare(`SELECT ${selectColumns(dataSource, DrillStepRow)} FROM drill_steps WHERE drill_id = ? ORDER BY ordinal`),
      unfinished: db.prepare(
        `SELECT id, target, status, requested_at AS requestedAt FROM drills
         WHERE status IN ('queued', 'running') AND (@target IS NULL OR target = @target) ORDER BY requested_at, id`,
      ),
      // Grouped in the rank index's own order, so that SQLite counts without sorting.
      stepCounts: db.prepare(
        `SELECT name, status, COUNT(*) AS runs, MIN(duration_ms) AS min, MAX(duration_ms) AS max
         FROM drill_steps INDEXED BY drill_steps_rank
         WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed')
         GROUP BY name, status`,
      ),
      stepDuration: { ASC: stepRank(db, 'ASC'), DESC: stepRank(db, 'DESC') },
      drillCounts: db.prepare(
        `SELECT '' AS name, COUNT(*) AS finished, SUM(status = 'succeeded') AS succeeded,
           MIN(CASE WHEN status = 'succeeded' THEN total_ms END) AS min, MAX(CASE WHEN status = 'succeeded' THEN total_ms END) AS max
         FROM drills WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed', 'aborted')`,
      ),
      drillDuration: { ASC: drillRank(db, 'ASC'), DESC: drillRank(db, 'DESC') },
      countsByOutcome: db.prepare(
        'SELECT target, scenario, trigger, status, COUNT(*) AS n FROM drills GROUP BY target, scenario, trigger, status',
      ),
      lastFinished: db.prepare(
        `SELECT d.target AS target, d.status AS status, d.finished_at AS finishedAt, d.kill_to_serving_ms AS killToServingMs,
           d.kill_to_redundant_ms AS killToRedundantMs, d.client_rto_ms AS clientRtoMs, d.lost_acked_writes AS lostAckedWrites
         FROM drills AS d
         JOIN (SELECT target, MAX(finished_at) AS last FROM drills WHERE finished_at IS NOT NULL GROUP BY target) AS latest
           ON d.target = latest.target AND d.finished_at = latest.last`,
      ),
    };
  }

  upsertDrill(row: DrillRow): void {
    this.statements.upsertDrill.run(row);
  }

  upsertStep(row: DrillStepRow): void {
    this.statements.upsertStep.run(row);
  }

  /** Empties both tables, before a rebuild. */
  clear(): void {
    this.db.prepare('DELETE FROM drill_steps').run();
    this.db.prepare('DELETE FROM drills').run();
  }

  async drill(id: string): Promise<DrillRow | undefined> {
    return this.statements.drill.get(id);
  }

  /** A drill's steps in plan order. */
  async steps(drillId: string): Promise<DrillStepRow[]> {
    return this.statements.steps.all(drillId);
  }

  /** Drills newest first (by request time, then id), filtered. */
  async page(filter: DrillFilter): Promise<DrillRow[]> {
    const parameters: unknown[] = [];
    const query = drillPageQuery(this.drillColumns, filter, (value) => {
      parameters.push(value);
      return '?';
    });
    return this.db.prepare(query).all(parameters) as DrillRow[];
  }

  /** The drills the log says are not finished (queued or running), of one target or all, earliest requested first. */
  async unfinished(target?: string): Promise<UnfinishedDrill[]> {
    return this.statements.unfinished.all({ target: target ?? null });
  }

  /** Finished runs of each step in the window, per step and status. */
  async stepCounts(window: RequestWindow): Promise<StepCounts[]> {
    return this.statements.stepCounts.all(window);
  }

  /** The successful duration of a step `offset` places from the shortest (ASC) or the longest (DESC). */
  async stepDurationAt(window: RequestWindow, name: string, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined> {
    return this.statements.stepDuration[order].get({ ...window, name, offset });
  }

  /** Finished drills in the window, and the range of the successful ones' total times. */
  async drillCounts(window: RequestWindow): Promise<OutcomeCounts> {
    return this.statements.drillCounts.get(window)!;
  }

  /** The successful total time of a drill `offset` places from the shortest (ASC) or the longest (DESC). */
  async drillDurationAt(window: RequestWindow, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined> {
    return this.statements.drillDuration[order].get({ ...window, offset });
  }

  /** How many drills there are per target, scenario, trigger and status. */
  async countsByOutcome(): Promise<OutcomeCount[]> {
    return this.statements.countsByOutcome.all();
  }

  /**
   * Per step and target, over the successful runs: how many took at most each of `bucketsSeconds`
   * (cumulative, in that order), the count and the total in seconds.
   */
  async stepHistograms(bucketsSeconds: readonly number[]): Promise<StepHistogram[]> {
    const bucketColumns = bucketsSeconds.map((le, index) => `SUM(duration_ms <= ${le * 1000}) AS b${index}`).join(', ');
    const rows = this.db
      .prepare(
        `SELECT name AS step, target, COUNT(*) AS count, SUM(duration_ms) / 1000.0 AS sumSeconds, ${bucketColumns}
           FROM drill_steps WHERE status = 'succeeded' AND duration_ms IS NOT NULL GROUP BY name, target`,
      )
      .all() as HistogramRow[];
    return stepHistograms(rows, bucketsSeconds);
  }

  /** Each target's latest finished drill. */
  async lastFinishedPerTarget(): Promise<LastDrill[]> {
    return this.statements.lastFinished.all();
  }
}

function stepRank(db: SqliteDatabase, order: 'ASC' | 'DESC') {
  return db
    .prepare(
      `SELECT duration_ms FROM drill_steps INDEXED BY drill_steps_rank
       WHERE name = @name AND status = 'succeeded' AND ${IN_WINDOW}
       ORDER BY duration_ms ${order} LIMIT 1 OFFSET @offset`,
    )
    .pluck() as Statement<[RequestWindow & { name: string; offset: number }], number>;
}

function drillRank(db: SqliteDatabase, order: 'ASC' | 'DESC') {
  return db
    .prepare(
      `SELECT total_ms FROM drills INDEXED BY drills_rank
       WHERE status = 'succeeded' AND ${IN_WINDOW}
       ORDER BY total_ms ${order} LIMIT 1 OFFSET @offset`,
    )
    .pluck() as Statement<[RequestWindow & { offset: number }], number>;
}
