import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isTransientRedisFailure } from './redis-failure.js';

/** An error reply as ioredis raises it (its typings leave the class untyped). */
const reply = (message: string): Error => new (ReplyError as new (message: string) => Error)(message);

describe('isTransientRedisFailure', () => {
  it('takes dropped connections, timeouts and a node not ready yet as worth another try', () => {
    expect(isTransientRedisFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7001'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientRedisFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientRedisFailure(new Error('Connection is closed.'))).toBe(true);
    expect(isTransientRedisFailure(new Error('Command timed out'))).toBe(true);
    expect(isTransientRedisFailure(reply('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isTransientRedisFailure(reply('TRYAGAIN Multiple keys request during rehashing of slot'))).toBe(true);
    expect(isTransientRedisFailure(reply('CLUSTERDOWN The cluster is down'))).toBe(true);
  });

  it("fails at once on a node's refusal, even one that quotes a dropped connection", () => {
    expect(isTransientRedisFailure(reply('ERR I can only replicate a master, not a replica.'))).toBe(false);
    expect(isTransientRedisFailure(reply('ERR Connection is closed.'))).toBe(false);
    expect(isTransientRedisFailure(new Error('Reached the max retries per request limit (which is 1).'))).toBe(false);
    expect(isTransientRedisFailure(undefined)).toBe(false);
  });
});
