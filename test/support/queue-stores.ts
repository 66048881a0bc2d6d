import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, type QueueBackendName } from '../../src/config/app-config.js';
import { labQueueUrl } from '../../src/lab/lab-topology.js';
import { DRILL_QUEUE } from '../../src/queue/drill-queue.js';
import { chooseQueueBackend } from '../../src/queue/queue-backend.js';
import { queryPostgres, startTestPostgres, type TestPostgres } from './postgres.js';
import type { TestLab } from './test-lab.js';

/** Both backends, in the order a file runs them: each queue test proves the same on each. */
export const QUEUE_BACKENDS: readonly QueueBackendName[] = ['redis', 'postgres'];

/**
 * How the queue's store loses its data. `in-place`: emptied under the running connections (Redis
 * `FLUSHALL`; on PostgreSQL the queue's schema dropped). `restart`: emptied and its server
 * restarted, so that every connection is cut too (a Redis without persistence; a PostgreSQL that
 * comes back without the queue's schema, as from a backup older than it).
 */
export type QueueLoss = 'in-place' | 'restart';

const PREFIX = 'redis-drill';

/** The queue's store for one test file's services: the lab's queue Redis, or a PostgreSQL of the file's own. */
export interface TestQueueStore {
  readonly backend: QueueBackendName;
  /** What a service is given to keep its queue here. */
  readonly env: Record<string, string>;
  /**
   * `lab.lab.reset()`, after which, on PostgreSQL, the lab's queue Redis (which the reset starts)
   * is stopped again, so that a service still reaching for it would fail.
   */
  resetLab(): Promise<void>;
  /** Loses every job, job scheduler and target lease the store holds, and checks that they are gone. */
  lose(loss: QueueLoss): Promise<void>;
  /** A BullMQ queue on the services' drill queue, for a test to look into; the caller closes it. */
  probe(): Queue;
  close(): Promise<void>;
}

/** The store of `backend` beside `lab`; on PostgreSQL the server is named after `name`, and the lab's queue Redis is stopped. */
export async function startQueueStore(backend: QueueBackendName, lab: TestLab, name: string): Promise<TestQueueStore> {
  return backend === 'postgres' ? postgresStore(lab, name) : redisStore(lab);
}

/** What one `describe` block's services are given: the queue's store and a directory of their own (for the audit log). */
export interface QueueStoreInUse {
  readonly store: TestQueueStore;
  readonly directory: string;
}

/**
 * Registers, in the calling `describe` block, a `beforeAll` that starts the store of `backend`
 * beside `lab()` (read then, as the file's lab is started in its own `beforeAll`) and makes a
 * temporary directory, and an `afterAll` that closes and removes them; `name` tells the file's
 * store and directory from other files'. Hooks the block registers after this one run between.
 */
export function useQueueStore(backend: QueueBackendName, lab: () => TestLab, name: string): QueueStoreInUse {
  let store: TestQueueStore | undefined;
  let directory: string | undefined;
  beforeAll(async () => {
    store = await startQueueStore(backend, lab(), `rdtest-${name}-${backend}`);
    directory = mkdtempSync(join(tmpdir(), `redis-drill-${name}-${backend}-`));
  });
  afterAll(async () => {
    await store?.close();
    if (directory !== undefined) {
      rmSync(directory, { recursive: true, force: true });
    }
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new Error(`the queue store's ${what} was used before its beforeAll ran (or after it failed)`);
    }
    return value;
  };
  return {
    get store() {
      return started(store, 'store');
    },
    get directory() {
      return started(directory, 'directory');
    },
  };
}

function redisStore(lab: TestLab): TestQueueStore {
  const url = labQueueUrl(lab.settings);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  return {
    backend: 'redis',
    env: {},
    resetLab: () => lab.lab.reset(),
    lose: async (loss) => {
      await redis.flushall();
      // Checked at once: after a restart the running service may already have written again.
      if ((await redis.dbsize()) !== 0) {
        throw new Error("the queue's Redis still holds keys after FLUSHALL");
      }
      if (loss === 'restart') {
        await lab.docker.getContainer(`${lab.settings.name}-queue`).restart({ t: 0 });
        await waitFor(async () => ((await redis.ping().catch(() => 'down')) === 'PONG' ? satisfied(undefined) : pending('down')), {
          description: "the queue's Redis to answer again",
          timeoutMs: 20_000,
          intervalMs: 50,
        });
      }
    },
    probe: () => new Queue(DRILL_QUEUE, { connection: { url }, prefix: PREFIX }),
    close: async () => redis.disconnect(),
  };
}

async function postgresStore(lab: TestLab, name: string): Promise<TestQueueStore> {
  const server: TestPostgres = await startTestPostgres(name);
  const url = await server.url('queue');
  const choice = chooseQueueBackend({
    queueBackend: 'postgres',
    queueDatabaseUrl: url,
    redisUrl: '',
    queuePrefix: PREFIX,
    databaseStatementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
  });
  const schema = choice.schema!;
  const stopQueueRedis = () => lab.docker.getContainer(`${lab.settings.name}-queue`).stop({ t: 0 });
  await stopQueueRedis();
  return {
    backend: 'postgres',
    env: { QUEUE_BACKEND: 'postgres', QUEUE_DATABASE_URL: url },
    resetLab: async () => {
      await lab.lab.reset();
      await stopQueueRedis();
    },
    lose: async (loss) => {
      await queryPostgres(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      if (loss === 'restart') {
        await server.shutDown();
        await server.startAgain();
      }
    },
    probe: () => new Queue(DRILL_QUEUE, choice.options as never, choice.factory as never),
    close: () => server.stop(),
  };
}
