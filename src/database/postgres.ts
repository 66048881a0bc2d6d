import type { DataSource, QueryRunner } from 'typeorm';
import { isUnavailablePostgresState } from '../common/postgres-failure.js';
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
/** Narrower than the queue's list (`isTransientPostgresFailure` says why the two differ). */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

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
 * A driver's error of a lost connection as `EventStoreUnavailableError`, of a full disk as
 * `EventStoreFullError` (nothing was written: the transaction rolled back); any other as it was.
 */
export function classifiedFailure(error: unknown): unknown {
  const code = driverCode(error);
  if (code === DISK_FULL) {
    return new EventStoreFullError(error);
  }
  return isUnavailablePostgresState(code) || NETWORK_ERRORS.has(code) ? new EventStoreUnavailableError(error) : error;
}

/** The SQLSTATE or network code of an error from node-postgres, as thrown or wrapped by TypeORM. */
function driverCode(error: unknown): string {
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' ? code : '';
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
