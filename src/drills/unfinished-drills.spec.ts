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

  it('given an earlier unfinished drill in the log, when a later one asks, then it is told the holder and Redis is not asked', async () => {
    asked.length = 0;
    const locks = new LogFirstLocks(redisLocks, async () => [
      drill('first', '2026-11-30T00:00:01.000Z'),
      drill('second', '2026-11-30T00:00:02.000Z'),
    ]);
    expect(await locks.acquire('lab', 'second')).toEqual({ acquired: false, holder: { drillId: 'first' } });
    expect(asked).toEqual([]);
  });

  it('given the asking drill is the earliest unfinished one, then the locks in Redis decide', async () => {
    asked.length = 0;
    const locks = new LogFirstLocks(redisLocks, async () => [
      drill('first', '2026-11-30T00:00:01.000Z'),
      drill('second', '2026-11-30T00:00:02.000Z'),
    ]);
    expect((await locks.acquire('lab', 'first')).acquired).toBe(true);
    expect(asked).toEqual(['first']);
  });
});
