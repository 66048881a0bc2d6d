import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import pg from 'pg';
import { PostgresTargetLocks } from '../src/queue/postgres-target-locks.js';
import { queueSchemaName } from '../src/queue/queue-backend.js';
import { RedisTargetLocks } from '../src/queue/redis-target-locks.js';
import { LeaseLostError, type TargetLocks } from '../src/queue/target-locks.js';
import { startUnrelatedRedis } from './support/containers.js';
import { freePortBlock } from './support/free-ports.js';
import { startTestPostgres } from './support/postgres.js';

const PORT = await freePortBlock(1);
const PREFIX = 'locks-test';
const [X, Y] = ['11111111-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002'];

/** Two service instances' views of one store, and what the tests do to the store behind their back. */
interface LockStore {
  /** The locks as instance 0 or 1 sees them, each on a connection of its own. */
  locks(instance: 0 | 1): TargetLocks;
  /** The holder of `target` lapses now, as when its worker froze. */
  expire(target: string): Promise<void>;
  /** The store loses the target's fencing counter, as a queue store that lost its data. */
  loseFence(target: string): Promise<void>;
  close(): Promise<void>;
}

const SETTINGS = { leaseMs: 10_000, reservationMs: 10_000 };

async function redisStore(): Promise<LockStore> {
  const config = loadConfig();
  const docker = connectDocker();
  const { image } = await ensureRedisImage(docker, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs });
  const redis = await startUnrelatedRedis(docker, image, 'rdtest-locks-redis', PORT);
  // One connection per service instance.
  const connections = [new Redis({ host: '127.0.0.1', port: PORT }), new Redis({ host: '127.0.0.1', port: PORT })] as const;
  // Refused until the container listens; ioredis reconnects by itself meanwhile.
  for (const connection of connections) {
    connection.on('error', () => undefined);
  }
  await waitFor(async () => ((await connections[0].ping().catch(() => '')) === 'PONG' ? satisfied(true) : pending('no PONG yet')), {
    description: 'the locks Redis to answer',
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  return {
    locks: (instance) => new RedisTargetLocks(connections[instance], PREFIX, SETTINGS),
    expire: async (target) => void (await connections[0].pexpire(`${PREFIX}:target:${target}:holder`, 1)),
    loseFence: async (target) => void (await connections[0].del(`${PREFIX}:target:${target}:fence`)),
    close: async () => {
      connections.forEach((connection) => connection.disconnect());
      await redis.remove();
    },
  };
}

async function postgresStore(): Promise<LockStore> {
  const server = await startTestPostgres('pg-queue-locks');
  const url = await server.url('locks');
  const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })] as const;
  const schema = queueSchemaName(PREFIX);
  return {
    locks: (instance) => new PostgresTargetLocks(pools[instance], schema, SETTINGS),
    expire: async (target) =>
      void (await pools[0].query(`UPDATE "${schema}".target_holder SET expires_at = clock_timestamp() WHERE target = $1`, [target])),
    loseFence: async (target) => void (await pools[0].query(`DELETE FROM "${schema}".target_fence WHERE target = $1`, [target])),
    close: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await server.stop();
    },
  };
}

describe.each([
  ['Redis', redisStore],
  ['PostgreSQL', postgresStore],
])('target locks in a real %s, as two service instances share them', (_name, startStore) => {
  let store: LockStore;
  let locksOf: (instance: 0 | 1, target: string) => TargetLocks;

  beforeAll(async () => {
    store = await startStore();
    locksOf = (instance) => store.locks(instance);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  it('give a requested target to its drill only, and its lease to that drill with a fencing token', async () => {
    const [one, two] = [locksOf(0, 't1'), locksOf(1, 't1')];
    expect(await one.reserve('t1', X)).toEqual({ reserved: true });
    expect(await two.reserve('t1', Y)).toEqual({ reserved: false, holder: { drillId: X } });
    expect(await two.acquire('t1', Y)).toEqual({ acquired: false, holder: { drillId: X } });

    const granted = await two.acquire('t1', X);
    if (!granted.acquired) {
      throw new Error('the reserved drill was refused its lease');
    }
    expect(granted.lease.token).toBe(1);
    expect(await one.holder('t1')).toEqual({ drillId: X, token: 1 });
    await granted.lease.assertHeld();
    await granted.lease.release();
    expect(await one.holder('t1')).toBeUndefined();
  });

  it('fence off a worker whose lease lapsed: the new holder gets a larger token, the old one can no longer act or release', async () => {
    const [one, two] = [locksOf(0, 't2'), locksOf(1, 't2')];
    const stale = await one.acquire('t2', X);
    if (!stale.acquired) {
      throw new Error('a free target was refused');
    }
    // The first worker froze: its lease lapses without renewal.
    await store.expire('t2');
    await waitFor(async () => ((await two.holder('t2')) ? pending('still held') : satisfied(true)), {
      description: 'the lapsed lease to go',
      timeoutMs: 5_000,
      intervalMs: 10,
    });

    const fresh = await two.acquire('t2', Y);
    if (!fresh.acquired) {
      throw new Error('a lapsed target was refused');
    }
    expect(fresh.lease.token).toBeGreaterThan(stale.lease.token);
    await expect(stale.lease.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
    await stale.lease.release();
    expect(await one.holder('t2')).toEqual({ drillId: Y, token: fresh.lease.token });
    await fresh.lease.assertHeld();
    await fresh.lease.release();
  });

  it('let a worker resuming the same drill take the lease over, and fence off the one it replaces', async () => {
    const [one, two] = [locksOf(0, 't3'), locksOf(1, 't3')];
    const crashed = await one.acquire('t3', X);
    const resumed = await two.acquire('t3', X);
    if (!crashed.acquired || !resumed.acquired) {
      throw new Error('the drill was refused its own target');
    }
    expect(resumed.lease.token).toBe(crashed.lease.token + 1);
    await expect(crashed.lease.assertHeld()).rejects.toThrow(
      `drill ${X} lost its lease on target t3 (fencing token ${crashed.lease.token})`,
    );
    await resumed.lease.assertHeld();
    await resumed.lease.release();
    await crashed.lease.release();
  });
  it('keep the target for an interrupted drill until it resumes, and let it go when the drill is given up', async () => {
    const [one, two] = [locksOf(0, 't4'), locksOf(1, 't4')];
    const interrupted = await one.acquire('t4', X);
    if (!interrupted.acquired) {
      throw new Error('a free target was refused');
    }
    await interrupted.lease.holdForResume(60_000);
    expect(await two.holder('t4')).toEqual({ drillId: X });
    expect(await two.acquire('t4', Y)).toEqual({ acquired: false, holder: { drillId: X } });
    expect(await two.reserve('t4', Y)).toEqual({ reserved: false, holder: { drillId: X } });

    const resumed = await two.acquire('t4', X);
    if (!resumed.acquired) {
      throw new Error('the interrupted drill was refused its own target');
    }
    expect(resumed.lease.token).toBeGreaterThan(interrupted.lease.token);
    // The old lease's hold cannot overwrite the new holder's lease.
    await interrupted.lease.holdForResume(60_000);
    expect(await one.holder('t4')).toEqual({ drillId: X, token: resumed.lease.token });

    await resumed.lease.holdForResume(60_000);
    await one.cancelReservation('t4', X);
    expect(await one.holder('t4')).toBeUndefined();
  });
  it("keep a drill's fencing tokens growing when the Redis lost its counter, from the token its log last recorded", async () => {
    const locks = locksOf(0, 't5');
    const before = await locks.acquire('t5', X);
    if (!before.acquired) {
      throw new Error('a free target was refused');
    }
    await before.lease.release();
    // The queue's Redis loses everything: the next acquire would start counting from 1 again.
    await store.loseFence('t5');
    const after = await locks.acquire('t5', X, before.lease.token + 1);
    if (!after.acquired) {
      throw new Error('a free target was refused');
    }
    expect(after.lease.token).toBe(before.lease.token + 1);
    // Without a floor the counter simply goes on.
    await after.lease.release();
    const next = await locks.acquire('t5', X);
    expect(next.acquired && next.lease.token).toBe(after.lease.token + 1);
    if (next.acquired) {
      await next.lease.release();
    }
  });
});
