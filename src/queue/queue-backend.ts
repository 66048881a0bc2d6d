import { createPostgresBackend, createRedisBackend, type BackendFactory, type IQueueBackend } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ListenedClient, POSTGRES_CONNECT_TIMEOUT_MS } from '../common/listened-client.js';
import type { AppConfig, QueueBackendName } from '../config/app-config.js';
import { PostgresQueueSchema } from './postgres-queue-schema.js';
import { PostgresTargetLocks } from './postgres-target-locks.js';
import { RedisTargetLocks } from './redis-target-locks.js';
import type { TargetLocks } from './target-locks.js';

/** The injection token of the `QueueBackendChoice`. */
export const QUEUE_BACKEND = Symbol('QueueBackend');

/** What BullMQ's `Queue` and `Worker` are built with: the backend and its connection options. */
export interface QueueBackendChoice {
  readonly name: QueueBackendName;
  readonly factory: BackendFactory<IQueueBackend, unknown>;
  /** The `connection` (and, on Redis, `prefix`) options of every queue class. */
  readonly options: { readonly connection: unknown; readonly prefix?: string };
  /** The PostgreSQL schema of the queue's tables and the target leases; undefined on Redis. */
  readonly schema: string | undefined;
}

/**
 * The PostgreSQL schema that stands for the Redis key prefix: the prefix with every character a
 * bare identifier may not hold turned into `_`, then `_queue` (`redis-drill` → `redis_drill_queue`).
 */
export function queueSchemaName(prefix: string): string {
  const base = prefix.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  return `${base.slice(0, 57)}_queue`;
}

/** The one place that decides where the queue lives (`QUEUE_BACKEND`). */
export function chooseQueueBackend(
  config: Pick<AppConfig, 'queueBackend' | 'queueDatabaseUrl' | 'redisUrl' | 'queuePrefix' | 'databaseStatementTimeoutMs'>,
): QueueBackendChoice {
  if (config.queueBackend === 'postgres') {
    const schema = queueSchemaName(config.queuePrefix);
    return {
      name: 'postgres',
      factory: createPostgresBackend as BackendFactory<IQueueBackend, unknown>,
      // Every instance migrates at boot; BullMQ serialises concurrent migrations under an advisory lock.
      // The timeouts, as on every other connection to PostgreSQL: a job call behind a lock that a
      // hung instance holds on the queue's tables fails instead of waiting for ever, and so does a
      // connection to a server that does not answer.
      options: {
        connection: {
          connectionString: config.queueDatabaseUrl,
          schema,
          migrate: true,
          connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
          statement_timeout: config.databaseStatementTimeoutMs,
          Client: ListenedClient,
        },
      },
      schema,
    };
  }
  return {
    name: 'redis',
    factory: createRedisBackend as BackendFactory<IQueueBackend, unknown>,
    options: { connection: { url: config.redisUrl }, prefix: config.queuePrefix },
    schema: undefined,
  };
}

/** The injection token of the `OwnedQueueStore`. */
export const OWNED_QUEUE_STORE = Symbol('OwnedQueueStore');

/** What the service keeps on the queue's store besides BullMQ's own classes, and the connection it owns there. */
export interface OwnedQueueStore {
  readonly locks: TargetLocks;
  /**
   * Makes BullMQ's schema again when it was lost under the running service; true when it did.
   * Always false on Redis, where BullMQ makes its keys again on the next write.
   */
  restoreLostSchema(): Promise<boolean>;
  close(): Promise<void>;
}

/** The target locks beside the queue (on the same Redis, or in the same PostgreSQL schema), and on PostgreSQL BullMQ's schema kept there. */
export function queueStoreFor(
  choice: QueueBackendChoice,
  config: Pick<
    AppConfig,
    'redisUrl' | 'queuePrefix' | 'queueDatabaseUrl' | 'workerLeaseMs' | 'reservationMs' | 'databaseStatementTimeoutMs'
  >,
): OwnedQueueStore {
  const settings = { leaseMs: config.workerLeaseMs, reservationMs: config.reservationMs };
  if (choice.name === 'postgres') {
    // The statement timeout, as on the audit log's connections: a lease call behind a lock that a
    // hung instance holds fails (transiently) instead of waiting for ever.
    const pool = new pg.Pool({
      connectionString: config.queueDatabaseUrl,
      max: 4,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      statement_timeout: config.databaseStatementTimeoutMs,
      Client: ListenedClient,
    });
    // Queries fail on their own while it is unreachable, and /api/health reports it; no unhandled error events.
    pool.on('error', () => undefined);
    const schema = new PostgresQueueSchema(pool, choice.schema!);
    return {
      locks: new PostgresTargetLocks(pool, choice.schema!, settings),
      restoreLostSchema: () => schema.restoreIfLost(),
      close: () => pool.end(),
    };
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined);
  return {
    locks: new RedisTargetLocks(redis, config.queuePrefix, settings),
    restoreLostSchema: async () => false,
    close: async () => redis.disconnect(),
  };
}
