import type { DataSource } from 'typeorm';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import type { EventStreamRow } from '../events/event-stream.entity.js';
import type { Projection } from '../events/projection.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import { DRILL_STREAM_KIND, type DrillEvent, type RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';
import type { DrillRow, DrillStepRow } from './drill-summary.entity.js';
import { DrillSummaryRepository } from './drill-summary.repository.js';

const RECENT_DRILLS = 256;

/** The projection's name and version, the same on both databases. */
export const DRILL_SUMMARY_PROJECTION = { name: 'drill-summary', version: 3 } as const;

/**
 * The state each recently appended drill was left in, so that an append folds only its own events.
 * Shared by the SQLite and PostgreSQL projections, which differ only in how they read and write.
 */
export class RecentDrillStates {
  private readonly recent = new Map<string, DrillState>();

  /**
   * The drill after the appended events: folded from them alone when they start the stream, or
   * from the remembered state when it is exactly the one before them; `'read the stream'` when
   * neither holds (after a rolled-back append, or one made by another process).
   */
  after(drillId: string, appended: readonly RecordedDrillEvent[]): DrillState | undefined | 'read the stream' {
    const first = appended[0];
    if (first?.sequence === 1) {
      return foldDrill(appended);
    }
    const known = this.recent.get(drillId);
    if (first && known?.version === first.sequence - 1) {
      return appended.reduce(evolve, known);
    }
    return 'read the stream';
  }

  remember(state: DrillState): void {
    this.recent.delete(state.id);
    this.recent.set(state.id, state);
    if (this.recent.size > RECENT_DRILLS) {
      this.recent.delete(this.recent.keys().next().value!);
    }
  }

  clear(): void {
    this.recent.clear();
  }
}

/**
 * The `drills` and `drill_steps` tables in SQLite: each drill's summary and step timings, folded
 * from its stream with the same fold the runner uses, so that the tables say exactly what the events say.
 */
export class DrillSummaryProjection implements Projection {
  readonly name = DRILL_SUMMARY_PROJECTION.name;
  readonly version = DRILL_SUMMARY_PROJECTION.version;
  private readonly summaries: DrillSummaryRepository;
  private readonly events: DrillEventRepository;
  private readonly recent = new RecentDrillStates();

  constructor(dataSource: DataSource) {
    this.summaries = new DrillSummaryRepository(dataSource);
    this.events = new DrillEventRepository(dataSource);
  }

  apply(stream: EventStreamRow, appended: readonly RecordedEvent[]): void {
    if (stream.kind !== DRILL_STREAM_KIND) {
      return;
    }
    const after = this.recent.after(stream.id, appended as readonly RecordedDrillEvent[]);
    const state = after === 'read the stream' ? foldDrill(this.events.streamNow<DrillEvent>(stream.id)) : after;
    if (!state) {
      return;
    }
    this.recent.remember(state);
    this.summaries.upsertDrill(drillRow(state));
    for (const step of stepRows(state)) {
      this.summaries.upsertStep(step);
    }
  }

  reset(): void {
    this.recent.clear();
    this.summaries.clear();
  }
}

export function stepRows(state: DrillState): DrillStepRow[] {
  return state.steps.map((step, ordinal) => ({
    drillId: state.id,
    name: step.name,
    requestedAt: state.requestedAt,
    target: state.target,
    ordinal,
    status: step.status,
    startedAt: step.startedAt ?? null,
    finishedAt: step.finishedAt ?? null,
    durationMs: step.durationMs ?? null,
    error: step.error ?? null,
  }));
}

export function drillRow(state: DrillState): DrillRow {
  return {
    id: state.id,
    scenario: state.scenario,
    target: state.target,
    trigger: state.trigger,
    scheduleId: state.scheduleId ?? null,
    actor: state.actor,
    status: state.status,
    requestedAt: state.requestedAt,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    totalMs: state.timings.totalMs ?? null,
    killToServingMs: state.timings.killToServingMs ?? null,
    killToRedundantMs: state.timings.killToRedundantMs ?? null,
    error: state.error ?? null,
    version: state.version,
    failbackMs: state.timings.failbackMs ?? null,
    clientRtoMs: state.probe?.state === 'reported' ? state.probe.report.clientRtoMs : null,
    lostAckedWrites: state.probe?.state === 'reported' ? state.probe.report.lostAckedWrites : null,
    options: JSON.stringify(state.options),
    probe: state.probe && state.probe.state !== 'running' ? JSON.stringify(state.probe) : null,
    servers: state.servers ? JSON.stringify(state.servers) : null,
  };
}
