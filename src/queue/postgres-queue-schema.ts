import { MIGRATION_ADVISORY_LOCK_KEY, runMigrations } from 'bullmq';
import type { Pool, PoolClient } from 'pg';

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
 * The functions BullMQ 6's migrations leave in the queue's schema (its job commands run as
 * functions), compared with what the migrations make by the same test as the tables.
 */
export const BULLMQ_FUNCTIONS = [
  'add_flow',
  'add_flow_unlocked',
  'add_job',
  'add_job_scheduler',
  'add_job_unlocked',
  'add_jobs_bulk',
  'add_jobs_bulk_unlocked',
  'apply_retention',
  'change_delay',
  'change_priority',
  'clean',
  'collect_metrics',
  'dedup_finalize',
  'dedup_on_removal',
  'dedup_store_next',
  'deduplicate_job',
  'drain',
  'extend_lock',
  'get_range',
  'handle_child_failure',
  'handle_duplicated_job',
  'job_id_seq_name',
  'lock_finalization_queues',
  'lock_producer_queues',
  'move_active_to_wait',
  'move_parent_to_wait',
  'move_stalled_jobs_to_wait',
  'move_to_active',
  'move_to_completed',
  'move_to_completed_fetch',
  'move_to_delayed',
  'move_to_failed',
  'move_to_failed_fetch',
  'move_to_waiting_children',
  'next_delay',
  'next_job_id',
  'next_signal',
  'obliterate',
  'pause',
  'promote',
  'promote_jobs',
  'publish_event',
  'rate_limit_consume',
  'rate_limit_effective',
  'rate_limit_ttl',
  'relay_delete_retained',
  'relay_get_counts',
  'relay_get_namespaces',
  'relay_get_nodes',
  'relay_get_patterns',
  'relay_get_retained',
  'relay_get_subscriptions',
  'relay_heartbeat',
  'relay_is_valid_id',
  'relay_match_topic',
  'relay_ms',
  'relay_page_limit',
  'relay_parse_topic',
  'relay_publish',
  'relay_read_inbox',
  'relay_register_node',
  'relay_remove_endpoint',
  'relay_subscribe',
  'relay_sweep',
  'relay_trim_inbox',
  'relay_unregister_node',
  'remove',
  'remove_child_dependency',
  'remove_job_scheduler',
  'remove_unprocessed_children',
  'reprocess_job',
  'requeue_dedup_next',
  'retry_job',
  'retry_jobs',
  'scheduler_every_next_millis',
  'set_rate_limit',
  'update_job_scheduler_next_millis',
  'update_progress',
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
   * Makes BullMQ's schema again when any of its tables or functions is gone; true when it did.
   * With the ledger gone (the schema dropped, or restored from a backup older than it), BullMQ's
   * migrations run again. With the ledger there but another table or a function gone, the ledger
   * says there is nothing to do, and the migrations cannot be run twice (they create tables
   * without `IF NOT EXISTS` and rename functions): BullMQ's objects are dropped, every one, and its
   * migrations run from the start. The jobs left in its other tables go with them, as with a
   * dropped schema: the reconciler queues every unfinished drill again from the log and makes the
   * job schedulers again. The target leases, our own tables in the same schema, are kept. BullMQ's
   * advisory lock lets instances doing it at the same moment take turns, and the later ones find
   * nothing to do.
   */
  async restoreIfLost(): Promise<boolean> {
    if ((await this.missingObjects(this.pool)).length === 0) {
      return false;
    }
    const client = await this.pool.connect();
    try {
      await this.dropIfDamaged(client);
      await runMigrations(client, this.schema);
    } finally {
      client.release();
    }
    return true;
  }

  /** BullMQ's tables and functions that are not in the schema (all of them when the schema is gone). */
  private async missingObjects(sql: Pool | PoolClient): Promise<string[]> {
    const { rows } = await sql.query<{ name: string }>(
      `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(format('%I.%I', $2::text, name)) IS NULL
       UNION ALL
       SELECT name || '()' FROM unnest($3::text[]) AS name
        WHERE NOT EXISTS (SELECT 1 FROM pg_proc AS p WHERE p.pronamespace = to_regnamespace(quote_ident($2::text)) AND p.proname = name)`,
      [BULLMQ_TABLES, this.schema, BULLMQ_FUNCTIONS],
    );
    return rows.map((row) => row.name);
  }

  /** Under BullMQ's migration lock: when the ledger stands but a table or a function is gone, every object of BullMQ's goes. */
  private async dropIfDamaged(client: PoolClient): Promise<void> {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_ADVISORY_LOCK_KEY, this.schema]);
      const missing = await this.missingObjects(client);
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
