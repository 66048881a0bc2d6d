import { describe, expect, it } from 'vitest';
import { StandbyLookAhead, type StandbysSeen } from './standby-look.js';

const seen: StandbysSeen = { down: [], looks: [] };

describe('StandbyLookAhead', () => {
  it('hands the look the kill started to the first takeover only: a retried one looks afresh', async () => {
    const ahead = new StandbyLookAhead();
    ahead.start(Promise.resolve(seen));
    await expect(ahead.take()).resolves.toBe(seen);
    expect(ahead.take()).toBeUndefined();
  });

  it('has nothing for a takeover in a run whose kill started none, as after a resume', () => {
    expect(new StandbyLookAhead().take()).toBeUndefined();
  });

  it('keeps the latest look when the kill is run again', async () => {
    const ahead = new StandbyLookAhead();
    const later: StandbysSeen = { down: [], looks: [] };
    ahead.start(Promise.resolve(seen));
    ahead.start(Promise.resolve(later));
    await expect(ahead.take()).resolves.toBe(later);
  });

  it('lets a look that failed go untaken without an unhandled rejection', () => {
    new StandbyLookAhead().start(Promise.reject(new Error('b1 did not answer')));
  });
});
