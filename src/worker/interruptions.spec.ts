import { describe, expect, it } from 'vitest';
import { afterInterruption, MAX_INTERRUPTIONS } from './interruptions.js';

describe('a drill interrupted by an error between its steps', () => {
  it('runs again after a pause that doubles each time, up to 30 s', () => {
    const pauses = Array.from({ length: MAX_INTERRUPTIONS - 1 }, (_, previous) => {
      const next = afterInterruption(previous, new Error('Connection is closed.'));
      if (!('retryInMs' in next)) {
        throw new Error(`gave up after ${previous} interruptions`);
      }
      expect(next.interruptions).toBe(previous + 1);
      return next.retryInMs;
    });
    expect(pauses).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('is given up, naming the last error, once interrupted too many times', () => {
    expect(afterInterruption(MAX_INTERRUPTIONS - 1, new Error('SQLITE_IOERR: disk I/O error'))).toEqual({
      giveUp: `interrupted ${MAX_INTERRUPTIONS} times; the last time: SQLITE_IOERR: disk I/O error`,
    });
  });
});
