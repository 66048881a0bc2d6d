import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import { LeaseLostError, TargetLocks } from '../src/queue/target-locks.js';
import { startUnrelatedRedis } from './support/containers.js';
import { freePortBlock } from './support/free-ports.js';

const PORT = await freePortBlock(1);
const PREFIX = 'locks-test';
const [X, Y] = ['11111111-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002'];

describe('target locks in a real Redis, as two service instances share them', () => {
  let redis: Awaited<ReturnType<typeof startUnrelatedRedis>>;
  let first: Redis;
  let second: Redis;
  let locksOf: (connection: Redis, target: string) => TargetLocks;

  beforeAll(async () => {
    const config = loadConfig();
    const docker = connectDocker();
    const { image } = await ensureRedisImage(docker, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs });
    redis = await startUnrelatedRedis(docker, image, 'rdtest-locks-redis', PORT);
    // One connection per service instance.
    [first, second] = [new Redis({ host: '127.0.0.1', port: PORT }), new Redis({ host: '127.0.0.1', port: PORT })];
    // Refused until the container listens; ioredis reconnects by itself meanwhile.
    for (const connection of [first, second]) {
      connection.on('error', () => undefined);
    }
    await waitFor(async () => ((await first.ping().catch(() => '')) === 'PONG' ? satisfied(true) : pending('no PONG yet')), {
      description: 'the locks Redis to answer',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    locksOf = (connection) => new TargetLocks(connection, PREFIX, { leaseMs: 10_000, reservationMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    first?.disconnect();
    second?.disconnect();
    await redis?.remove();
  });

  it('give a requested target to its drill only, and its lease to that drill with a fencing token', async () => {
    const [one, two] = [locksOf(first, 't1'), locksOf(second, 't1')];
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
    const [one, two] = [locksOf(first, 't2'), locksOf(second, 't2')];
    const stale = await one.acquire('t2', X);
    if (!stale.acquired) {
      throw new Error('a free target was refused');
    }
    // The first worker froze: its lease lapses without renewal.
    await first.pexpire(`${PREFIX}:target:t2:holder`, 1);
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
    const [one, two] = [locksOf(first, 't3'), locksOf(second, 't3')];
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
    const [one, two] = [locksOf(first, 't4'), locksOf(second, 't4')];
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
    const locks = locksOf(first, 't5');
    const before = await locks.acquire('t5', X);
    if (!before.acquired) {
      throw new Error('a free target was refused');
    }
    await before.lease.release();
    // The queue's Redis loses everything: the next acquire would start counting from 1 again.
    await first.del(`${PREFIX}:target:t5:fence`);
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
