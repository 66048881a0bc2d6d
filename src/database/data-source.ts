import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DrillRow, DrillStepRow } from '../drills/drill-summary.entity.js';
import { DrillEventRow, ProjectionStateRow } from '../events/drill-event.entity.js';
import { EventStreamRow } from '../events/event-stream.entity.js';
import { ScheduleRow } from '../schedules/schedule.entity.js';
import { CreateAuditLog1764000000000 } from './migrations/1764000000000-create-audit-log.js';
import { CreateSchedules1764100000000 } from './migrations/1764100000000-create-schedules.js';
import { AddDrillFigures1764200000000 } from './migrations/1764200000000-add-drill-figures.js';
import { StreamKinds1764300000000 } from './migrations/1764300000000-stream-kinds.js';

export const ENTITIES = [DrillEventRow, EventStreamRow, ProjectionStateRow, DrillRow, DrillStepRow, ScheduleRow];

/**
 * SQLite in WAL mode with synchronous FULL: once an append returns, the event survives a crash
 * of the process or the machine. The schema comes from migrations only.
 */
export function dataSourceOptions(databasePath: string): DataSourceOptions {
  if (databasePath !== ':memory:') {
    mkdirSync(dirname(databasePath), { recursive: true });
  }
  return {
    type: 'better-sqlite3',
    database: databasePath,
    entities: ENTITIES,
    migrations: [CreateAuditLog1764000000000, CreateSchedules1764100000000, AddDrillFigures1764200000000, StreamKinds1764300000000],
    migrationsRun: true,
    synchronize: false,
    enableWAL: true,
    // Another process (a second service instance, the CLI) may hold the write lock briefly.
    timeout: 5000,
    prepareDatabase: (db: { pragma: (statement: string) => unknown }) => {
      db.pragma('synchronous = FULL');
    },
  };
}

export async function openDataSource(databasePath: string): Promise<DataSource> {
  return new DataSource(dataSourceOptions(databasePath)).initialize();
}
