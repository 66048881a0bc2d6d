import type { DataSource } from 'typeorm';
import { isPostgres } from '../database/data-source.js';
import type { EventStore } from '../events/event-store.js';
import { PostgresEventStore } from '../events/postgres-event-store.js';
import { SqliteEventStore } from '../events/sqlite-event-store.js';
import { PostgresDrillSummaryProjection } from './drill-summary.postgres-projection.js';
import { DrillSummaryProjection } from './drill-summary.projection.js';

/** The event store on the data source's database, with the drill summary projection: what the CLI, benchmarks and tests open. */
export function drillEventStore(dataSource: DataSource): EventStore {
  return isPostgres(dataSource)
    ? new PostgresEventStore(dataSource, [new PostgresDrillSummaryProjection(dataSource)])
    : new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
}
