import type { Statement } from 'better-sqlite3';
import { toRecorded, type EventRow } from '../events/event-store.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import type { Projection } from '../events/projection.js';
import type { SqliteDatabase } from '../events/sqlite.js';
import type { RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';

const RECENT_DRILLS = 256;
const DRILL_STREAM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Statements {
  stream: Statement<[string], EventRow>;
  upsertDrill: Statement<[Record<string, unknown>]>;
  upsertStep: Statement<[Record<string, unknown>]>;
}

/**
 * The `drills` and `drill_steps` tables: each drill's summary and step timings, folded from its
 * stream with the same fold the runner uses, so that the tables say exactly what the events say.
 */
export class DrillSummaryProjection implements Projection {
  readonly name = 'drill-summary';
  readonly version = 2;
  private readonly statements = new WeakMap<SqliteDatabase, Statements>();
  /** The state each recently appended drill was left in, so that an append folds only its own events. */
  private readonly recent = new Map<string, DrillState>();

  apply(db: SqliteDatabase, drillId: string, appended: readonly RecordedEvent[]): void {
    // Drills are the streams named by a UUID; the log holds others, such as the kill switch's.
    if (!DRILL_STREAM_ID.test(drillId)) {
      return;
    }
    const statements = this.prepared(db);
    const state = this.fold(statements, drillId, appended as readonly RecordedDrillEvent[]);
    if (!state) {
      return;
    }
    this.recent.delete(drillId);
    this.recent.set(drillId, state);
    if (this.recent.size > RECENT_DRILLS) {
      this.recent.delete(this.recent.keys().next().value!);
    }
    statements.upsertDrill.run(drillRow(state));
    state.steps.forEach((step, ordinal) =>
      statements.upsertStep.run({
        drill_id: state.id,
        name: step.name,
        requested_at: state.requestedAt,
        target: state.target,
        ordinal,
        status: step.status,
        started_at: step.startedAt ?? null,
        finished_at: step.finishedAt ?? null,
        duration_ms: step.durationMs ?? null,
        error: step.error ?? null,
      }),
    );
  }

  /**
   * The drill after the appended events: folded from them alone when they start the stream, from
   * the remembered state when it is exactly the one before them, and otherwise from the whole
   * stream (after a rolled-back append, or one made by another process).
   */
  private fold(statements: Statements, drillId: string, appended: readonly RecordedDrillEvent[]): DrillState | undefined {
    const first = appended[0];
    if (first?.sequence === 1) {
      return foldDrill(appended);
    }
    const known = this.recent.get(drillId);
    if (first && known?.version === first.sequence - 1) {
      return appended.reduce(evolve, known);
    }
    return foldDrill(statements.stream.all(drillId).map((row) => toRecorded(row) as RecordedDrillEvent));
  }

  reset(db: SqliteDatabase): void {
    this.recent.clear();
    db.prepare('DELETE FROM drill_steps').run();
    db.prepare('DELETE FROM drills').run();
  }

  private prepared(db: SqliteDatabase): Statements {
    let statements = this.statements.get(db);
    if (!statements) {
      statements = {
        stream: db.prepare('SELECT * FROM drill_events WHERE drill_id = ? ORDER BY sequence'),
        upsertDrill: db.prepare(
          `INSERT INTO drills (id, scenario, target, trigger, schedule_id, actor, status, requested_at, started_at, finished_at,
             total_ms, kill_to_serving_ms, kill_to_redundant_ms, error, version, failback_ms, client_rto_ms, lost_acked_writes, options, probe)
           VALUES (@id, @scenario, @target, @trigger, @schedule_id, @actor, @status, @requested_at, @started_at, @finished_at,
             @total_ms, @kill_to_serving_ms, @kill_to_redundant_ms, @error, @version, @failback_ms, @client_rto_ms, @lost_acked_writes, @options, @probe)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
             total_ms = excluded.total_ms, kill_to_serving_ms = excluded.kill_to_serving_ms,
             kill_to_redundant_ms = excluded.kill_to_redundant_ms, error = excluded.error, version = excluded.version,
             failback_ms = excluded.failback_ms, client_rto_ms = excluded.client_rto_ms, lost_acked_writes = excluded.lost_acked_writes,
             probe = excluded.probe`,
        ),
        upsertStep: db.prepare(
          `INSERT INTO drill_steps (drill_id, name, requested_at, target, ordinal, status, started_at, finished_at, duration_ms, error)
           VALUES (@drill_id, @name, @requested_at, @target, @ordinal, @status, @started_at, @finished_at, @duration_ms, @error)
           ON CONFLICT (drill_id, name) DO UPDATE SET status = excluded.status, started_at = excluded.started_at,
             finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, error = excluded.error`,
        ),
      };
      this.statements.set(db, statements);
    }
    return statements;
  }
}

function drillRow(state: DrillState): Record<string, unknown> {
  return {
    id: state.id,
    scenario: state.scenario,
    target: state.target,
    trigger: state.trigger,
    schedule_id: state.scheduleId ?? null,
    actor: state.actor,
    status: state.status,
    requested_at: state.requestedAt,
    started_at: state.startedAt ?? null,
    finished_at: state.finishedAt ?? null,
    total_ms: state.timings.totalMs ?? null,
    kill_to_serving_ms: state.timings.killToServingMs ?? null,
    kill_to_redundant_ms: state.timings.killToRedundantMs ?? null,
    error: state.error ?? null,
    version: state.version,
    failback_ms: state.timings.failbackMs ?? null,
    client_rto_ms: state.probe?.state === 'reported' ? state.probe.report.clientRtoMs : null,
    lost_acked_writes: state.probe?.state === 'reported' ? state.probe.report.lostAckedWrites : null,
    options: JSON.stringify(state.options),
    probe: state.probe && state.probe.state !== 'running' ? JSON.stringify(state.probe) : null,
  };
}
