import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.js';
import { pending, satisfied, waitFor, WaitTimeoutError } from './wait-for.js';

describe('waitFor', () => {
  it('returns the value as soon as the condition holds', async () => {
    let looks = 0;
    const value = await waitFor(async () => (++looks < 3 ? pending(`look ${looks}`) : satisfied('ready')), {
      description: 'a value',
      timeoutMs: 1000,
      intervalMs: 1,
    });
    expect(value).toBe('ready');
    expect(looks).toBe(3);
  });

  it('treats a throwing probe as not yet', async () => {
    let looks = 0;
    const value = await waitFor(
      async () => {
        if (++looks === 1) {
          throw new Error('ECONNREFUSED');
        }
        return satisfied(looks);
      },
      { description: 'a node', timeoutMs: 1000, intervalMs: 1 },
    );
    expect(value).toBe(2);
  });

  it('times out with what it waited for and the last reason', async () => {
    const waiting = waitFor(async () => pending('b2 still lists a1'), { description: 'a1 to be forgotten', timeoutMs: 30, intervalMs: 5 });
    await expect(waiting).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(waiting).rejects.toThrow('timed out after 30 ms waiting for a1 to be forgotten; last seen: b2 still lists a1');
  });
});

describe('a wait that timed out', () => {
  it('is worth another try when its last look failed on something transient, and keeps that failure', async () => {
    class Dropped extends AppError {
      readonly code = 'DROPPED';
      override readonly transient = true;
    }
    const dropped = new Dropped('Connection is closed.');
    const failing = waitFor(
      async () => {
        throw dropped;
      },
      { description: 'a node', timeoutMs: 20, intervalMs: 5 },
    );
    await expect(failing).rejects.toMatchObject({ transient: true, cause: dropped });
  });

  it('is not when it saw the condition unmet, nor when its last look failed on something else', async () => {
    const unmet = waitFor(async () => pending('b2 still lists a1'), { description: 'a1 to be forgotten', timeoutMs: 20, intervalMs: 5 });
    await expect(unmet).rejects.toMatchObject({ transient: false });
    const refused = waitFor(
      async () => {
        throw new Error('ERR Unknown node');
      },
      { description: 'a node', timeoutMs: 20, intervalMs: 5 },
    );
    await expect(refused).rejects.toMatchObject({ transient: false });
  });
});
