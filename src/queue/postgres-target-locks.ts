import type { Pool, PoolClient } from 'pg';
import { isTimedOutPostgresStatement, isTransientPostgresFailure, postgresErrorCode } from '../common/postgres-failure.js';
import { LockStoreError, TargetLocks, type HolderSlot, type TargetLockSettings } from './target-locks.js';

/** SQLSTATEs of a missing table or schema: someone dropped the queue's tables; they are made again. */
const MISSING_RELATION = new Set(['42P01', '3F000']);

/**
 * The target locks in the queue's PostgreSQL, beside BullMQ's tables in the same schema: one row
 * per holder with an expiry read from the server's clock (every instance shares it, as they share
 * Redis' TTLs), one row per fence counter. A reservation and a lease each take the target's
 * advisory lock for their transaction, so that checking the holder and replacing it is one step,
 * as a Lua script is on Redis; renewing, holding and releasing are single conditional statements.
 */
export class PostgresTargetLocks extends TargetLocks {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    settings: TargetLockSettings,
  ) {
    super(settings);
  }

  private get holders(): string {
    return `"${this.schema}".target_holder`;
  }

  private get fences(): string {
    return `"${this.schema}".target_fence`;
  }

  protected reserveIfFree(target: string, drillId: string): Promise<boolean> {
    return this.inTargetTransaction(target, async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO ${this.holders} AS h (target, holder, expires_at)
         VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (target) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE h.expires_at <= clock_timestamp()`,
        [target, drillId, this.settings.reservationMs],
      );
      return rowCount === 1;
    });
  }

  protected heldBy(target: string): Promise<string | undefined> {
    return this.classified(async () => {
      const { rows } = await this.pool.query<{ holder: string }>(
        `SELECT holder FROM ${this.holders} WHERE target = $1 AND expires_at > clock_timestamp()`,
        [target],
      );
      return rows[0]?.holder;
    });
  }

  protected takeLease(target: string, drillId: string, minToken: number): Promise<{ token: number } | { heldBy: string }> {
    return this.inTargetTransaction(target, async (client) => {
      const held = await client.query<{ holder: string }>(
        `SELECT holder FROM ${this.holders} WHERE target = $1 AND expires_at > clock_timestamp()`,
        [target],
      );
      const holder = held.rows[0]?.holder;
      if (holder !== undefined && holder.slice(0, 36) !== drillId) {
        return { heldBy: holder };
      }
      const fenced = await client.query<{ fence: string }>(
        `INSERT INTO ${this.fences} AS f (target, fence) VALUES ($1, $2)
         ON CONFLICT (target) DO UPDATE SET fence = greatest(f.fence + 1, $2)
         RETURNING fence::text`,
        [target, minToken],
      );
      const token = Number(fenced.rows[0]!.fence);
      await client.query(
        `INSERT INTO ${this.holders} (target, holder, expires_at)
         VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (target) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
        [target, `${drillId}:${token}`, this.settings.leaseMs],
      );
      return { token };
    });
  }

  protected slot(target: string): HolderSlot {
    const live = `target = $1 AND holder = $2 AND expires_at > clock_timestamp()`;
    return {
      renew: (value, ms) =>
        this.classified(async () => {
          const { rowCount } = await this.pool.query(
            `UPDATE ${this.holders} SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE ${live}`,
            [target, value, ms],
          );
          return rowCount === 1;
        }),
      hold: (value, replacement, ms) =>
        this.classified(async () => {
          await this.pool.query(
            `UPDATE ${this.holders} SET holder = $4, expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE ${live}`,
            [target, value, ms, replacement],
          );
        }),
      release: (value) =>
        this.classified(async () => {
          await this.pool.query(`DELETE FROM ${this.holders} WHERE ${live}`, [target, value]);
        }),
    };
  }

  /** `work` in one transaction holding the target's advisory lock, on one connection of the pool. */
  private inTargetTransaction<T>(target: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.classified(async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [this.schema, target]);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  /** Makes the tables first, and again when they were dropped; turns the driver's failures into `LockStoreError`. */
  private async classified<T>(work: () => Promise<T>): Promise<T> {
    try {
      await this.tables();
    } catch (error) {
      // Another instance creating them at the same moment, or the server away: the next call tries again.
      throw new LockStoreError(error, true);
    }
    try {
      return await work();
    } catch (error) {
      if (error instanceof LockStoreError) {
        throw error;
      }
      const tablesGone = MISSING_RELATION.has(postgresErrorCode(error));
      if (tablesGone) {
        this.ready = undefined;
        await this.tables().catch(() => undefined);
      }
      throw new LockStoreError(error, tablesGone || isTransientPostgresFailure(error) || isTimedOutPostgresStatement(error));
    }
  }

  private tables(): Promise<void> {
    this.ready ??= this.pool
      .query(
        // One query string runs as one implicit transaction, which the advisory lock lasts for.
        `SELECT pg_advisory_xact_lock(hashtext('${this.schema}'), 0);
         CREATE SCHEMA IF NOT EXISTS "${this.schema}";
         CREATE TABLE IF NOT EXISTS ${this.holders} (target text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL);
         CREATE TABLE IF NOT EXISTS ${this.fences} (target text PRIMARY KEY, fence bigint NOT NULL);`,
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.ready = undefined;
          throw error;
        },
      );
    return this.ready;
  }
}
