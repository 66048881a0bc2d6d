import { describe, expect, it } from 'vitest';
import { PreflightFailedError } from '../drills/preflight.js';
import { isTransient } from './transient-errors.js';

describe('isTransient', () => {
  it('takes dropped connections, timeouts, a busy database and 5xx answers as worth another try', () => {
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7001'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(new Error('Connection is closed.'))).toBe(true);
    expect(isTransient(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500 }))).toBe(true);
    expect(isTransient(new Error('outer', { cause: new Error('Command timed out') }))).toBe(true);
  });

  it('fails at once on a refusal or a wrong state', () => {
    expect(isTransient(new Error('ERR I can only replicate a master, not a replica.'))).toBe(false);
    expect(isTransient(Object.assign(new Error('no such container'), { statusCode: 404 }))).toBe(false);
  });

  it('does not retry a preflight refusal that quotes a connection error it saw', () => {
    const refusal = new PreflightFailedError([
      { check: 'target-ready', problem: 'not ready for a failover: b4 (127.0.0.1:7264) is unreachable: Connection is closed.' },
    ]);
    expect(isTransient(refusal)).toBe(false);
  });
});
