import type { DataSource } from 'typeorm';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import type { EventStreamRow } from '../events/event-stream.entity.js';
import type { Projection } from '../events/projection.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import { DRILL_STREAM_KIND, type DrillEvent, type RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';
import type { DrillRow } from './drill-summary.entity.js';
import { DrillSummaryRepository } from './drill-summary.repository.js';

const RECENT_DRILLS = 256;

/**
 * The `drills` and `drill_steps` tables: each drill's summary and step timings, folded from its
 * stream with the same fold the runner uses, so that the tables say exactly what the events say.
 */
export class DrillSummaryProjection implements Projection {
  readonly name = 'drill-summary';
  readonly version = 2;
  private readonly summaries: DrillSummaryRepository;
  private readonly events: DrillEventRepository;
  /** The state each recently appended drill was left in, so that an append folds only its own events. */
  private readonly recent = new Map<string, DrillState>();

  constructor(dataSource: DataSource) {
    this.summaries = new DrillSummaryRepository(dataSource);
    this.events = new DrillEventRepository(dataSource);
  }

  apply(stream: EventStreamRow, appended: readonly RecordedEvent[]): void {
    if (stream.kind !== DRILL_STREAM_KIND) {
      return;
    }
    const drillId = stream.id;
    const state = this.fold(drillId, appended as readonly RecordedDrillEvent[]);
    if (!state) {
      return;
    }
    this.recent.delete(drillId);
    this.recent.set(drillId, state);
    if (this.recent.size > RECENT_DRILLS) {
      this.recent.delete(this.recent.keys().next().value!);
    }
    this.summaries.upsertDrill(drillRow(state));
    state.steps.forEach((step, ordinal) =>
      this.summaries.upsertStep({
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
      }),
    );
  }

  /**
   * The drill after the appended events: folded from them alone when they start the stream, from
   * the remembered state when it is exactly the one before them, and otherwise from the whole
   * stream (after a rolled-back append, or one made by another process).
   */
  private fold(drillId: string, appended: readonly RecordedDrillEvent[]): DrillState | undefined {
    const first = appended[0];
    if (first?.sequence === 1) {
      return foldDrill(appended);
    }
    const known = this.recent.get(drillId);
    if (first && known?.version === first.sequence - 1) {
      return appended.reduce(evolve, known);
    }
    return foldDrill(this.events.stream<DrillEvent>(drillId));
  }

  reset(): void {
    this.recent.clear();
    this.summaries.clear();
  }
}

function drillRow(state: DrillState): DrillRow {
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
  };
}
