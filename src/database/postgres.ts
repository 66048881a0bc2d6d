import type { DataSource, QueryRunner } from 'typeorm';

/**
 * What the PostgreSQL repositories run their statements on: the data source's pool, or the query
 * runner of the event store's open transaction, so that a projection writes inside the append.
 */
export interface Sql {
  query(statement: string, parameters?: unknown[]): Promise<unknown>;
}

/** Runs a statement and types its rows (node-postgres returns `bigint` and `numeric` as strings: cast them in SQL). */
export async function rows<T>(sql: Sql, statement: string, parameters: unknown[] = []): Promise<T[]> {
  return (await sql.query(statement, parameters)) as T[];
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
