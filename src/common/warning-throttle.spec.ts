import { describe, expect, it } from 'vitest';
import { throttled } from './warning-throttle.js';

describe('throttled', () => {
  it('passes the first warning and then at most one per interval', () => {
    let now = 1_000;
    const passed: string[] = [];
    const warn = throttled(
      (message) => passed.push(message),
      10_000,
      () => now,
    );
    warn('queue: Connection is closed.');
    now += 9_999;
    warn('queue: Connection is closed. (again)');
    now += 1;
    warn('queue: connect ECONNREFUSED');
    expect(passed).toEqual(['queue: Connection is closed.', 'queue: connect ECONNREFUSED']);
  });
});
