import type { DataSource } from 'typeorm';
import { rows, type Sql } from '../database/postgres.js';
import { selectColumns } from '../database/sqlite.js';
import { upsertStatement, type UpsertStatement } from '../database/upsert.js';
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
import type { UnfinishedDrill } from './unfinished-drills.js';

/** `$1 .. $n` for a window's from, to and target, then the statement's own parameters. */
const IN_WINDOW = `requested_at >= $1 AND requested_at <= $2 AND ($3::text IS NULL OR target = $3)`;
const windowParameters = (window: RequestWindow) => [window.from, window.to, window.target];
/** PostgreSQL's placeholder for the `parameter`-th parameter. */
const numbered = (_field: string, parameter: number) => `$${parameter}`;

/**
 * The `drills` and `drill_steps` tables of the drill summary projection, in PostgreSQL: the SQLite
 * repository's statements with PostgreSQL's placeholders, and counts cast to `int` so that they
 * come back as numbers.
 */
export class PostgresDrillSummaryRepository extends DrillSummaryReader {
  private readonly drillColumns: string;
  private readonly stepColumns: string;
  private readonly drillUpsert: UpsertStatement<DrillRow>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.drillColumns = selectColumns(dataSource, DrillRow);
    this.stepColumns = selectColumns(dataSource, DrillStepRow);
    this.drillUpsert = upsertStatement(dataSource, DrillRow, DRILL_UPSERT, numbered);
  }

  /**
   * Writes a drill's row and its steps' rows in one statement (the drill's upsert as a
   * data-modifying `WITH`), so that an append that brings them up to date makes one round trip
   * for them under the log's lock.
   */
  async upsertDrillAndSteps(sql: Sql, row: DrillRow, steps: readonly DrillStepRow[]): Promise<void> {
    const drillParameters = this.drillUpsert.fields.map((field) => row[field]);
    if (steps.length === 0) {
      await sql.query(this.drillUpsert.sql, drillParameters);
      return;
    }
    const after = drillParameters.length;
    const upsert = upsertStatement(
      this.dataSource,
      DrillStepRow,
      STEP_UPSERT,
      (_field, parameter) => `$${after + parameter}`,
      steps.length,
    );
    await sql.query(`WITH drill AS (${this.drillUpsert.sql}) ${upsert.sql}`, [
      ...drillParameters,
      ...steps.flatMap((step) => upsert.fields.map((field) => step[field])),
    ]);
  }

  /** Empties both tables, before a rebuild. */
  async clear(sql: Sql): Promise<void> {
    await sql.query('DELETE FROM drill_steps');
    await sql.query('DELETE FROM drills');
  }

  async drill(id: string): Promise<DrillRow | undefined> {
    const [row] = await rows<DrillRow>(this.dataSource, `SELECT ${this.drillColumns} FROM drills WHERE id = $1`, [id]);
    return row;
  }

  async steps(drillId: string): Promise<DrillStepRow[]> {
    return rows<DrillStepRow>(this.dataSource, `SELECT ${this.stepColumns} FROM drill_steps WHERE drill_id = $1 ORDER BY ordinal`, [
      drillId,
    ]);
  }

  async page(filter: DrillFilter): Promise<DrillRow[]> {
    const parameters: unknown[] = [];
    const query = drillPageQuery(this.drillColumns, filter, (value) => numbered('', parameters.push(value)));
    return rows<DrillRow>(this.dataSource, query, parameters);
  }

  async unfinished(target?: string): Promise<UnfinishedDrill[]> {
    return rows<UnfinishedDrill>(
      this.dataSource,
      `SELECT id, target, status, requested_at AS "requestedAt" FROM drills
       WHERE status IN ('queued', 'running') AND ($1::text IS NULL OR target = $1) ORDER BY requested_at, id`,
      [target ?? null],
    );
  }

  async stepCounts(window: RequestWindow): Promise<StepCounts[]> {
    return rows<StepCounts>(
      this.dataSource,
      `SELECT name, status, COUNT(*)::int AS runs, MIN(duration_ms) AS min, MAX(duration_ms) AS max
       FROM drill_steps WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed')
       GROUP BY name, status ORDER BY name, status`,
      windowParameters(window),
    );
  }

  async stepDurationAt(window: RequestWindow, name: string, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined> {
    const [row] = await rows<{ duration: number }>(
      this.dataSource,
      `SELECT duration_ms AS duration FROM drill_steps
       WHERE name = $4 AND status = 'succeeded' AND ${IN_WINDOW}
       ORDER BY duration_ms ${direction(order)} LIMIT 1 OFFSET $5`,
      [...windowParameters(window), name, offset],
    );
    return row?.duration;
  }

  async drillCounts(window: RequestWindow): Promise<OutcomeCounts> {
    const [row] = await rows<OutcomeCounts>(
      this.dataSource,
      `SELECT '' AS name, COUNT(*)::int AS finished, COUNT(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
         MIN(total_ms) FILTER (WHERE status = 'succeeded') AS min, MAX(total_ms) FILTER (WHERE status = 'succeeded') AS max
       FROM drills WHERE ${IN_WINDOW} AND status IN ('succeeded', 'failed', 'aborted')`,
      windowParameters(window),
    );
    return row!;
  }

  async drillDurationAt(window: RequestWindow, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined> {
    const [row] = await rows<{ duration: number }>(
      this.dataSource,
      `SELECT total_ms AS duration FROM drills
       WHERE status = 'succeeded' AND ${IN_WINDOW}
       ORDER BY total_ms ${direction(order)} LIMIT 1 OFFSET $4`,
      [...windowParameters(window), offset],
    );
    return row?.duration;
  }

  async countsByOutcome(): Promise<OutcomeCount[]> {
    return rows<OutcomeCount>(
      this.dataSource,
      `SELECT target, scenario, trigger, status, COUNT(*)::int AS n FROM drills
       GROUP BY target, scenario, trigger, status ORDER BY target, scenario, trigger, status`,
    );
  }

  async stepHistograms(bucketsSeconds: readonly number[]): Promise<StepHistogram[]> {
    const bucketColumns = bucketsSeconds
      .map((le, index) => `COUNT(*) FILTER (WHERE duration_ms <= ${le * 1000})::int AS b${index}`)
      .join(', ');
    const found = await rows<HistogramRow>(
      this.dataSource,
      `SELECT name AS step, target, COUNT(*)::int AS count, SUM(duration_ms) / 1000.0::double precision AS "sumSeconds", ${bucketColumns}
       FROM drill_steps WHERE status = 'succeeded' AND duration_ms IS NOT NULL GROUP BY name, target ORDER BY name, target`,
    );
    return stepHistograms(found, bucketsSeconds);
  }

  async lastFinishedPerTarget(): Promise<LastDrill[]> {
    return rows<LastDrill>(
      this.dataSource,
      `SELECT d.target AS target, d.status AS status, d.finished_at AS "finishedAt", d.kill_to_serving_ms AS "killToServingMs",
         d.kill_to_redundant_ms AS "killToRedundantMs", d.client_rto_ms AS "clientRtoMs", d.lost_acked_writes AS "lostAckedWrites"
       FROM drills AS d
       JOIN (SELECT target, MAX(finished_at) AS last FROM drills WHERE finished_at IS NOT NULL GROUP BY target) AS latest
         ON d.target = latest.target AND d.finished_at = latest.last
       ORDER BY d.target`,
    );
  }
}

/** The order as SQL: only ever one of two words, never caller text. */
const direction = (order: 'ASC' | 'DESC') => (order === 'DESC' ? 'DESC' : 'ASC');
