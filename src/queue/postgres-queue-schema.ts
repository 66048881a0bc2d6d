import { runMigrations } from 'bullmq';
import type { Pool } from 'pg';

/**
 * BullMQ's tables and functions in the queue's PostgreSQL schema. BullMQ migrates them once, when
 * a queue or worker first connects, and never looks again: a schema dropped under running
 * instances would fail every job command until each restarted. This puts it back, as Redis
 * makes its keys again on the next write.
 */
export class PostgresQueueSchema {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  /**
   * Runs BullMQ's migrations again when their ledger is gone (the schema dropped, or restored from
   * a backup older than it); true when it did. BullMQ's advisory lock lets instances doing it at
   * the same moment take turns, and the later ones find nothing to do.
   */
  async restoreIfLost(): Promise<boolean> {
    const { rows } = await this.pool.query<{ lost: boolean }>('SELECT to_regclass($1) IS NULL AS lost', [`"${this.schema}".migration`]);
    if (!rows[0]?.lost) {
      return false;
    }
    const client = await this.pool.connect();
    try {
      await runMigrations(client, this.schema);
    } finally {
      client.release();
    }
    return true;
  }
}
