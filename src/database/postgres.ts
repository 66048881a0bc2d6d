import type { DataSource, QueryRunner } from 'typeorm';
import { isTimedOutPostgresStatement, isTransientPostgresFailure, postgresErrorCode } from '../common/postgres-failure.js';
import { EventStoreFullError, EventStoreUnavailableError } from '../events/event-store.js';

/**
 * What the PostgreSQL repositories run their statements on: the data source's pool, or the query
 * runner of the event store's open transaction, so that a projection writes inside the append.
 */
export interface Sql {
  query(statement: string, parameters?: unknown[]): Promise<unknown>;
}

/** `disk_full`: the server could not extend a file, and rolled the transaction back. */
const DISK_FULL = '53100';

/**
 * Runs a statement and types its rows (node-postgres returns `bigint` and `numeric` as strings:
 * cast them in SQL). A database that is down answers `EventStoreUnavailableError`, so that a
 * reader's caller gets a 503, not a 500.
 */
export async function rows<T>(sql: Sql, statement: string, parameters: unknown[] = []): Promise<T[]> {
  if ((sql as { isInitialized?: boolean }).isInitialized === false) {
    throw new EventStoreUnavailableError('PostgreSQL has not been reached since the service started');
  }
  try {
    return (await sql.query(statement, parameters)) as T[];
  } catch (error) {
    throw classifiedFailure(error);
  }
}

/**
 * A driver's error of a database that is away (`isTransientPostgresFailure`, as the queue's locks
 * judge it) or of a statement that ran out of time as `EventStoreUnavailableError`, of a full disk
 * as `EventStoreFullError` (nothing was written: the transaction rolled back); any other as it was.
 */
export function classifiedFailure(error: unknown): unknown {
  const code = postgresErrorCode(error);
  if (code === DISK_FULL) {
    return new EventStoreFullError(error);
  }
  return isTransientPostgresFailure(error) || isTimedOutPostgresStatement(error) ? new EventStoreUnavailableError(error) : error;
}

/** `work` inside one transaction on its own connection, committed if it returns and rolled back if it throws. */
export async function inTransaction<T>(dataSource: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const result = await work(runner);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) {
      await runner.rollbackTransaction().catch(() => undefined);
    }
    throw error;
  } finally {
    await runner.release();
  }
}
