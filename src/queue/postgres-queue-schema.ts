import { MIGRATION_ADVISORY_LOCK_KEY, runMigrations } from 'bullmq';
import type { Pool, PoolClient } from 'pg';
import { withPooledClient } from '../common/pooled-client.js';

/**
 * The tables BullMQ 6's migrations make in the queue's schema (`0001_schema`, `0004_relay`, and
 * the ledger `migration`). The test of this class compares it with what the migrations make, so
 * that a BullMQ that adds a table fails it until the table is listed here.
 */
export const BULLMQ_TABLES = [
  'migration',
  'meta',
  'job',
  'job_log',
  'job_dependency',
  'event',
  'metrics',
  'rate_limit',
  'dedup',
  'dedup_next',
  'scheduler',
  'relay_node',
  'relay_subscription',
  'relay_inbox',
  'relay_retained',
] as const;

/**
 * BullMQ's tables and functions in the queue's PostgreSQL schema. BullMQ migrates them once, when
 * a queue or worker first connects, and never looks again: a schema or a table dropped under
 * running instances would fail every job command until each restarted. This puts them back, as
 * Redis makes its keys again on the next write.
 */
export class PostgresQueueSchema {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  /**
   * Makes BullMQ's schema again when any of its tables is gone; true when it did. With the ledger
   * gone (the schema dropped, or restored from a backup older than it), BullMQ's migrations run
   * again. With the ledger there but another table gone, the ledger says there is nothing to do,
   * and the migrations cannot be run twice (they create tables without `IF NOT EXISTS` and rename
   * functions): BullMQ's objects are dropped, every one, and its migrations run from the start.
   * The jobs left in its other tables go with them, as with a dropped schema: the reconciler
   * queues every unfinished drill again from the log and makes the job schedulers again. The
   * target leases, our own tables in the same schema, are kept. BullMQ's advisory lock lets
   * instances doing it at the same moment take turns, and the later ones find nothing to do.
   */
  async restoreIfLost(): Promise<boolean> {
    if ((await this.missingTables(this.pool)).length === 0) {
      return false;
    }
    await withPooledClient(this.pool, async (client) => {
      await this.dropIfDamaged(client);
      await runMigrations(client, this.schema);
    });
    return true;
  }

  private async missingTables(sql: Pool | PoolClient): Promise<string[]> {
    const { rows } = await sql.query<{ name: string }>(
      "SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(format('%I.%I', $2::text, name)) IS NULL",
      [BULLMQ_TABLES, this.schema],
    );
    return rows.map((row) => row.name);
  }

  /** Under BullMQ's migration lock: when the ledger stands but a table is gone, every object of BullMQ's goes. */
  private async dropIfDamaged(client: PoolClient): Promise<void> {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_ADVISORY_LOCK_KEY, this.schema]);
      const missing = await this.missingTables(client);
      if (missing.length > 0 && !missing.includes('migration')) {
        await this.dropBullmqObjects(client);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** BullMQ's tables, and every function, sequence and type of the schema (our own tables have none). */
  private async dropBullmqObjects(client: PoolClient): Promise<void> {
    const schema = `"${this.schema}"`;
    await client.query(`DROP TABLE IF EXISTS ${BULLMQ_TABLES.map((table) => `${schema}."${table}"`).join(', ')} CASCADE`);
    const { rows } = await client.query<{ statement: string }>(
      `SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::regprocedure) AS statement
         FROM pg_proc AS p WHERE p.pronamespace = to_regnamespace(quote_ident($1))
       UNION ALL
       SELECT format('DROP SEQUENCE IF EXISTS %s CASCADE', c.oid::regclass)
         FROM pg_class AS c WHERE c.relnamespace = to_regnamespace(quote_ident($1)) AND c.relkind = 'S'
       UNION ALL
       SELECT format('DROP TYPE IF EXISTS %s CASCADE', t.oid::regtype)
         FROM pg_type AS t WHERE t.typnamespace = to_regnamespace(quote_ident($1)) AND t.typtype IN ('e', 'd', 'r')`,
      [this.schema],
    );
    for (const { statement } of rows) {
      await client.query(statement);
    }
  }
}
