import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';

export type SqliteDatabase = BetterSqlite3.Database;

/**
 * The better-sqlite3 handle behind a TypeORM data source. Appends and reads use it directly:
 * synchronous statements inside `BEGIN IMMEDIATE` cannot interleave with another writer, and cost
 * microseconds rather than the milliseconds of TypeORM's async query path.
 */
export function sqliteHandle(dataSource: DataSource): SqliteDatabase {
  const handle = (dataSource.driver as unknown as { databaseConnection?: SqliteDatabase }).databaseConnection;
  if (!handle) {
    throw new Error('the data source is not an initialised better-sqlite3 connection');
  }
  return handle;
}
