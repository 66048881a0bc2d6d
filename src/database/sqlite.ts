import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

export type SqliteDatabase = BetterSqlite3.Database;

/**
 * The one place that reaches past TypeORM into its driver: the better-sqlite3 handle behind a
 * data source. Only repositories (`*.repository.ts`) and the event store call it. They use the
 * handle directly because synchronous statements inside `BEGIN IMMEDIATE` cannot interleave with
 * another writer, and cost microseconds rather than the milliseconds of TypeORM's async query path.
 *
 * A PostgreSQL store plugs in here: a second set of repositories over its own connection, with the
 * same methods, chosen where the repositories are provided; the services above them stay as they are.
 */
export function sqliteHandle(dataSource: DataSource): SqliteDatabase {
  const handle = (dataSource.driver as unknown as { databaseConnection?: SqliteDatabase }).databaseConnection;
  if (!handle) {
    throw new Error('the data source is not an initialised better-sqlite3 connection');
  }
  return handle;
}

/**
 * Whether the driver failed because the disk (or the file system's quota) is full: SQLite
 * answers `SQLITE_FULL` when a write gets `ENOSPC`, and rolls the transaction back.
 */
export function isDiskFull(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_FULL';
}

/**
 * `column AS property, ...` for every column of an entity, so that raw statements return rows
 * shaped as the entity describes them and the table is described once, by its entity.
 */
export function selectColumns(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, tableAlias?: string): string {
  const prefix = tableAlias ? `${tableAlias}.` : '';
  return dataSource
    .getMetadata(entity)
    .columns.map((column) => `${prefix}"${column.databaseName}" AS "${column.propertyName}"`)
    .join(', ');
}
