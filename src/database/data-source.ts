import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import { ListenedClient, POSTGRES_CONNECT_TIMEOUT_MS } from '../common/listened-client.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from '../config/app-config.js';
import { DrillRow, DrillStepRow } from '../drills/drill-summary.entity.js';
import { DrillEventRow, ProjectionStateRow } from '../events/drill-event.entity.js';
import { EventStreamRow } from '../events/event-stream.entity.js';
import { ScheduleRow } from '../schedules/schedule.entity.js';
import { CreateAuditLog1764000000000 } from './migrations/1764000000000-create-audit-log.js';
import { CreateSchedules1764100000000 } from './migrations/1764100000000-create-schedules.js';
import { AddDrillFigures1764200000000 } from './migrations/1764200000000-add-drill-figures.js';
import { StreamKinds1764300000000 } from './migrations/1764300000000-stream-kinds.js';
import { AddDrillServers1764420000000 } from './migrations/1764420000000-add-drill-servers.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/postgres-migrations.js';

export const ENTITIES = [DrillEventRow, EventStreamRow, ProjectionStateRow, DrillRow, DrillStepRow, ScheduleRow];

/** Where the audit log lives: an SQLite file (`DATABASE_PATH`), or PostgreSQL when `DATABASE_URL` is set. */
export interface DatabaseSettings {
  readonly databasePath: string;
  readonly databaseUrl?: string | undefined;
  /** PostgreSQL's `statement_timeout` on every connection; `DEFAULT_STATEMENT_TIMEOUT_MS` unless given. */
  readonly databaseStatementTimeoutMs?: number;
}

/** PostgreSQL when the settings name one, SQLite otherwise. */
export function dataSourceOptions(settings: DatabaseSettings | string): DataSourceOptions {
  const { databasePath, databaseUrl, databaseStatementTimeoutMs } = typeof settings === 'string' ? { databasePath: settings } : settings;
  return databaseUrl
    ? postgresOptions(databaseUrl, databaseStatementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS)
    : sqliteOptions(databasePath);
}

/**
 * SQLite in WAL mode with synchronous FULL: once an append returns, the event survives a crash
 * of the process or the machine. The schema comes from migrations only.
 */
function sqliteOptions(databasePath: string): DataSourceOptions {
  if (databasePath !== ':memory:') {
    mkdirSync(dirname(databasePath), { recursive: true });
  }
  return {
    type: 'better-sqlite3',
    database: databasePath,
    entities: ENTITIES,
    migrations: [
      CreateAuditLog1764000000000,
      CreateSchedules1764100000000,
      AddDrillFigures1764200000000,
      StreamKinds1764300000000,
      AddDrillServers1764420000000,
    ],
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

/**
 * PostgreSQL through TypeORM's `postgres` driver (node-postgres). Migrations run at boot as with
 * SQLite, but from `openDataSource`, under an advisory lock, so that instances booting together
 * migrate one after the other. A commit is durable once it returns (the server's own `fsync`).
 * Every connection starts with a `statement_timeout`, which also bounds a wait for a lock: an
 * append behind a lock that a hung instance holds fails after it (`classifiedFailure`) rather than
 * waiting as long as the lock is held; a server that stops answering altogether drops the
 * connection after `silenceLimitMs` (`ListenedClient`).
 */
function postgresOptions(url: string, statementTimeoutMs: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: POSTGRES_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
    extra: { max: 10, statement_timeout: statementTimeoutMs, Client: ListenedClient },
  };
}

/** Any lock number works as long as every instance uses the same one. */
const MIGRATION_LOCK = 7_264_000;

/** Opens the data source and brings its schema up to date. */
export async function openDataSource(settings: DatabaseSettings | string): Promise<DataSource> {
  return migrated(await new DataSource(dataSourceOptions(settings)).initialize());
}

/**
 * Runs PostgreSQL's migrations, one instance at a time; SQLite's have run as the source opened.
 * Without the statement timeout: a migration may rewrite a large log, and an instance waits for
 * another's migrations however long they take.
 */
export async function migrated(dataSource: DataSource): Promise<DataSource> {
  if (dataSource.options.type !== 'postgres') {
    return dataSource;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const migrations = new MigrationExecutor(dataSource, runner);
    migrations.transaction = 'all';
    await migrations.executePendingMigrations();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}

/** Which database a data source is on, for choosing the repositories and the event store. */
export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === 'postgres';
}
