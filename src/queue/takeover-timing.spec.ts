import { describe, expect, it } from 'vitest';
import { takeoverTiming, type TakeoverTiming } from './takeover-timing.js';

/**
 * When BullMQ's two-phase stalled check puts back the job of a worker killed at 0, which renewed
 * its lock at `lastRenewal` (≤ 0), with passes at `firstPass + n × stalledCheckMs`: a pass marks
 * every active job, a renewal unmarks it, and a pass reclaims a marked job whose lock has lapsed.
 */
function reclaimedAt(timing: TakeoverTiming, lastRenewal: number, firstPass: number): number {
  const lapsesAt = lastRenewal + timing.jobLockMs;
  let marked = false;
  for (let pass = firstPass; ; pass += timing.stalledCheckMs) {
    if (pass <= lastRenewal) {
      continue;
    }
    if (marked && pass >= lapsesAt) {
      return pass;
    }
    marked = true;
  }
}

describe('takeoverTiming', () => {
  it.each([1_000, 2_000, 10_000, 600_000])(
    'has another worker take a dead worker’s job within four fifths of a %i ms lease, whenever it died',
    (leaseMs) => {
      const timing = takeoverTiming(leaseMs);
      let latest = 0;
      const steps = 20;
      for (let renewal = 0; renewal < steps; renewal++) {
        for (let pass = 0; pass < steps; pass++) {
          // The kill comes up to one renewal period after the last renewal, and passes fall at any phase.
          const lastRenewal = -((renewal + 0.5) / steps) * timing.jobLockRenewMs;
          const firstPass = lastRenewal - timing.stalledCheckMs + ((pass + 0.5) / steps) * timing.stalledCheckMs;
          latest = Math.max(latest, reclaimedAt(timing, lastRenewal, firstPass));
        }
      }
      expect(latest).toBeLessThanOrEqual(timing.jobLockMs + timing.stalledCheckMs);
      expect(latest).toBeLessThanOrEqual(0.8 * leaseMs);
    },
  );

  it('renews a live worker’s lock twice before it could lapse', () => {
    for (const leaseMs of [1_000, 2_000, 10_000]) {
      const { jobLockMs, jobLockRenewMs } = takeoverTiming(leaseMs);
      expect(jobLockMs).toBeGreaterThanOrEqual(3 * jobLockRenewMs);
    }
  });
});
