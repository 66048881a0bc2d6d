import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCadence, upcomingRuns } from './schedule-timing.js';

const now = new Date('2026-11-25T10:02:30Z');

describe('upcomingRuns', () => {
  it('reads a cron pattern in its time zone', () => {
    expect(upcomingRuns({ cron: '0 3 * * *', tz: 'Europe/Paris' }, now, 2).map((run) => run.toISOString())).toEqual([
      '2026-11-26T02:00:00.000Z',
      '2026-11-27T02:00:00.000Z',
    ]);
  });

  it('spaces an interval from its first run', () => {
    expect(upcomingRuns({ everyMs: 60_000 }, now, 3, new Date('2026-11-25T10:03:00Z')).map((run) => run.toISOString())).toEqual([
      '2026-11-25T10:03:00.000Z',
      '2026-11-25T10:04:00.000Z',
      '2026-11-25T10:05:00.000Z',
    ]);
  });
});

describe('checkCadence', () => {
  it('accepts a cadence at or above the floor', () => {
    expect(() => checkCadence({ cron: '*/5 * * * *', tz: 'UTC' }, 300_000, now)).not.toThrow();
    expect(() => checkCadence({ everyMs: 60_000 }, 60_000, now)).not.toThrow();
  });

  it.each([
    [{ cron: 'every day', tz: 'UTC' }, /cron "every day" is not a valid pattern/],
    [{ cron: '61 * * * *', tz: 'UTC' }, /cron "61 \* \* \* \*" is not a valid pattern/],
    [{ cron: '0 3 *', tz: 'UTC' }, /cron "0 3 \*" is not a valid pattern: it has 3 field\(s\); give 5/],
    [{ cron: '* * * * *', tz: 'UTC' }, /cron "\* \* \* \* \*" fires 60000 ms apart, more often than the allowed minimum of 300000 ms/],
    [{ cron: '0,1 * * * *', tz: 'UTC' }, /fires 60000 ms apart/],
    [{ cron: '0 3 * * *', tz: 'Mars/Olympus' }, /tz "Mars\/Olympus" is not an IANA time zone/],
    [{ everyMs: 1000 }, /everyMs 1000 is more frequent than the allowed minimum of 300000 ms/],
  ])('refuses %j, saying why', (cadence, message) => {
    expect(() => checkCadence(cadence, 300_000, now)).toThrow(message);
  });
});

describe('the cron parser behind the previews', () => {
  it('is the very version BullMQ fires schedules with, so that a preview and its firing agree', () => {
    const require = createRequire(import.meta.url);
    const ours = (require('cron-parser/package.json') as { version: string }).version;
    const bullmqDirectory = dirname(require.resolve('bullmq/package.json'));
    const theirs = (createRequire(join(bullmqDirectory, 'package.json'))('cron-parser/package.json') as { version: string }).version;
    expect(ours).toBe(theirs);
  });
});
