import { describe, expect, it } from 'vitest';
import { UNCOORDINATED } from './drill-locks.js';
import { holderInLog, LogFirstLocks, type UnfinishedDrill } from './unfinished-drills.js';

const drill = (id: string, requestedAt: string, target = 'lab', status: UnfinishedDrill['status'] = 'running'): UnfinishedDrill => ({
  id,
  target,
  status,
  requestedAt,
});

describe('holderInLog', () => {
  it('given several unfinished drills on a target, then the earliest requested holds it', () => {
    const later = drill('a-later', '2026-11-30T00:00:05.000Z');
    const earlier = drill('z-earlier', '2026-11-30T00:00:01.000Z');
    expect(holderInLog([later, earlier], 'lab')).toBe(earlier);
  });

  it('given two drills requested in the same millisecond, then the smaller id holds it, on every instance alike', () => {
    const one = drill('b', '2026-11-30T00:00:01.000Z');
    const other = drill('a', '2026-11-30T00:00:01.000Z');
    expect(holderInLog([one, other], 'lab')).toBe(other);
    expect(holderInLog([other, one], 'lab')).toBe(other);
  });

  it('given a drill that has started and an earlier one still queued, then the started one holds it', () => {
    const queued = drill('queued', '2026-11-30T00:00:01.000Z', 'lab', 'queued');
    const started = drill('started', '2026-11-30T00:00:05.000Z');
    expect(holderInLog([queued, started], 'lab')).toBe(started);
  });

  it('given unfinished drills only on other targets, then nothing holds this one', () => {
    expect(holderInLog([drill('d', '2026-11-30T00:00:01.000Z', 'other')], 'lab')).toBeUndefined();
  });
});

describe('LogFirstLocks', () => {
  const asked: string[] = [];
  const redisLocks = {
    acquire: async (_target: string, drillId: string) => {
      asked.push(drillId);
      return UNCOORDINATED.acquire('lab', drillId);
    },
    cancelReservation: async () => undefined,
  };

  it('given a drill that has started, when another asks, then it is told the holder and Redis is not asked', async () => {
    asked.length = 0;
    const locks = new LogFirstLocks(redisLocks, async () => [
      drill('queued-earlier', '2026-11-30T00:00:01.000Z', 'lab', 'queued'),
      drill('started', '2026-11-30T00:00:02.000Z'),
    ]);
    expect(await locks.acquire('lab', 'queued-earlier')).toEqual({ acquired: false, holder: { drillId: 'started' } });
    expect(asked).toEqual([]);
  });

  it('given only drills that have not started, even earlier ones, then the locks in Redis decide (the request reserved it there)', async () => {
    asked.length = 0;
    const locks = new LogFirstLocks(redisLocks, async () => [
      drill('queued-earlier', '2026-11-30T00:00:01.000Z', 'lab', 'queued'),
      drill('asking', '2026-11-30T00:00:02.000Z', 'lab', 'queued'),
    ]);
    expect((await locks.acquire('lab', 'asking', 4)).acquired).toBe(true);
    expect(asked).toEqual(['asking']);
  });

  it('given the asking drill is the one that started, then it resumes through the locks in Redis', async () => {
    asked.length = 0;
    const locks = new LogFirstLocks(redisLocks, async () => [drill('resuming', '2026-11-30T00:00:01.000Z')]);
    expect((await locks.acquire('lab', 'resuming')).acquired).toBe(true);
    expect(asked).toEqual(['resuming']);
  });
});
