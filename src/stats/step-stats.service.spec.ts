import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DrillSummaryRepository } from '../drills/drill-summary.repository.js';
import { drillId, fakeDrillStore } from '../drills/testing/fake-drills.js';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import { StepStats } from './step-stats.service.js';

describe('StepStats', () => {
  let drills: Awaited<ReturnType<typeof fakeDrillStore>>;
  let stats: StepStats;

  beforeEach(async () => {
    drills = await fakeDrillStore('2026-11-20T00:00:00.000Z');
    stats = new StepStats(new DrillSummaryRepository(drills.dataSource), new DrillEventRepository(drills.dataSource), drills.clock);
    // Ten drills whose kill steps take 1..10 ms; the last two fail at takeover.
    for (let n = 1; n <= 10; n++) {
      await drills.run({ id: drillId(n), failAt: n > 8 ? 'takeover' : undefined, stepMs: { kill: n } });
    }
    await drills.run({ id: drillId(11), target: 'staging', stepMs: { kill: 500 } });
    await drills.run({ id: drillId(12), queuedOnly: true });
  });

  afterEach(async () => {
    await drills.close();
  });

  it('counts, rates and ranks each step over the window, in plan order', async () => {
    const report = await stats.report({ target: 'lab' });
    expect(report.target).toBe('lab');
    expect(report.steps.map((step) => step.name)).toEqual(['prepare', 'kill', 'takeover', 'forget', 'meet', 'replicate', 'verify']);
    const kill = report.steps.find((step) => step.name === 'kill')!;
    expect(kill).toEqual({ name: 'kill', count: 10, successRate: 1, durationMs: { min: 1, p50: 5, p95: 10, max: 10 } });
    const takeover = report.steps.find((step) => step.name === 'takeover')!;
    expect(takeover.count).toBe(10);
    expect(takeover.successRate).toBeCloseTo(0.8);
    expect(report.steps.find((step) => step.name === 'verify')!.count).toBe(8);
  });

  it('reports whole drills: the queued one is not finished, the failed ones count against the rate', async () => {
    const { drills: whole } = await stats.report({ target: 'lab' });
    expect(whole.count).toBe(10);
    expect(whole.successRate).toBeCloseTo(0.8);
    expect(whole.durationMs!.min).toBeGreaterThan(0);
  });

  it('covers every target unless one is named, and only the drills requested in the window', async () => {
    expect((await stats.report({})).steps.find((step) => step.name === 'kill')!.durationMs!.max).toBe(500);
    const early = await stats.report({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T00:00:02.500Z' });
    expect(early.drills.count).toBe(3);
    expect(await stats.report({ from: '2027-01-01T00:00:00.000Z', to: '2027-01-02T00:00:00.000Z' })).toMatchObject({
      drills: { count: 0, successRate: 0 },
      steps: [],
    });
  });

  it('defaults to the 30 days up to now, and refuses a window that ends before it starts', async () => {
    drills.advance(40 * 24 * 3600 * 1000);
    expect((await stats.report({})).drills.count).toBe(0);
    await expect(stats.report({ from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' })).rejects.toThrow(
      'from must not be later than to',
    );
  });

  it('reuses a report while nothing is appended, and recomputes after an append', async () => {
    const first = await stats.report({ target: 'lab' });
    expect(await stats.report({ target: 'lab' })).toBe(first);
    await drills.run({ id: drillId(13), stepMs: { kill: 1 } });
    const second = await stats.report({ target: 'lab' });
    expect(second).not.toBe(first);
    expect(second.steps.find((step) => step.name === 'kill')!.count).toBe(11);
    expect(await stats.compute({ target: 'lab' })).toEqual(second);
  });
});
