import { describe, expect, it } from 'vitest';
import { isTransient } from '../common/app-error.js';
import { PreflightFailedError } from './preflight.js';

describe('PreflightFailedError', () => {
  it('does not retry a preflight refusal that quotes a connection error it saw', () => {
    const refusal = new PreflightFailedError([
      { check: 'target-ready', problem: 'not ready for a failover: b4 (127.0.0.1:7264) is unreachable: Connection is closed.' },
    ]);
    expect(isTransient(refusal)).toBe(false);
  });

  it('answers an API caller with 422 and every check that failed', () => {
    const failedChecks = [{ check: 'target-free', problem: 'target lab is busy with drill d1' }] as const;
    const refusal = new PreflightFailedError(failedChecks);
    expect(refusal.httpStatus).toBe(422);
    expect(refusal.toResponse()).toEqual({ message: 'preflight failed: target-free: target lab is busy with drill d1', failedChecks });
  });
});
