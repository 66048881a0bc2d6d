import type { DataSource } from 'typeorm';
import type { Sql } from '../database/postgres.js';
import { PostgresDrillEventRepository } from '../events/drill-event.postgres-repository.js';
import type { EventStreamRow } from '../events/event-stream.entity.js';
import type { PostgresProjection } from '../events/postgres-projection.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import { DRILL_STREAM_KIND, type DrillEvent, type RecordedDrillEvent } from './drill-events.js';
import { foldDrill } from './drill-state.js';
import { PostgresDrillSummaryRepository } from './drill-summary.postgres-repository.js';
import { DRILL_SUMMARY_PROJECTION, drillRow, RecentDrillStates, stepRows } from './drill-summary.projection.js';

/** The drill summary projection on PostgreSQL: the same fold and rows as on SQLite, written inside the append's transaction. */
export class PostgresDrillSummaryProjection implements PostgresProjection {
  readonly name = DRILL_SUMMARY_PROJECTION.name;
  readonly version = DRILL_SUMMARY_PROJECTION.version;
  private readonly summaries: PostgresDrillSummaryRepository;
  private readonly events: PostgresDrillEventRepository;
  private readonly recent = new RecentDrillStates();

  constructor(dataSource: DataSource) {
    this.summaries = new PostgresDrillSummaryRepository(dataSource);
    this.events = new PostgresDrillEventRepository(dataSource);
  }

  async apply(transaction: Sql, stream: EventStreamRow, appended: readonly RecordedEvent[]): Promise<void> {
    if (stream.kind !== DRILL_STREAM_KIND) {
      return;
    }
    const after = this.recent.after(stream.id, appended as readonly RecordedDrillEvent[]);
    const state = after === 'read the stream' ? foldDrill(await this.events.stream<DrillEvent>(stream.id, transaction)) : after;
    if (!state) {
      return;
    }
    await this.summaries.upsertDrillAndSteps(transaction, drillRow(state), stepRows(state));
    // Remembered once written: a failed write leaves nothing remembered that the tables do not hold.
    this.recent.remember(state);
  }

  async reset(transaction: Sql): Promise<void> {
    this.recent.clear();
    await this.summaries.clear(transaction);
  }
}
