import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import type { DrillOptions } from '../src/drills/drill-events.js';
import type { ScenarioName } from '../src/drills/scenarios.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import type { ProbeReport } from '../src/probe/probe-report.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('the live client probe during drills', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-probe'), { form: true });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  async function run(scenario: ScenarioName, options: DrillOptions): Promise<{ state: DrillState; report: ProbeReport }> {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual', options },
    });
    const { state } = await drills.runner.run(id);
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(state.probe?.state).toBe('reported');
    return { state, report: (state.probe as { report: ProbeReport }).report };
  }

  it('loses no acknowledged write in a planned failover and back, even at a high write rate', async () => {
    const { report } = await run('failover-and-failback', { planned: true, probeWritesPerSecond: 600 });
    expect(report.acked).toBeGreaterThan(300);
    expect(report.lostAckedWrites).toBe(0);
    expect(report.shards.map((shard) => shard.slot)).toEqual([0, 5461, 10923]);
    for (const shard of report.shards) {
      expect(shard.acked).toBeGreaterThan(0);
      expect(shard.lostAckedWrites).toBe(0);
    }
    // Writes stalled while the shards moved, and the stall was measured.
    expect(report.clientRtoMs).toBeGreaterThan(0);
    expect(report.writes).toBe(report.acked + report.failed + report.unknown);
  });

  it('measures an unplanned failover and reports the figures, whatever they are', async () => {
    const { state, report } = await run('group-failover', {});
    expect(report.writes).toBeGreaterThan(0);
    expect(report.writes).toBe(report.acked + report.failed + report.unknown);
    // Whatever was lost is counted once, on the shard it was written to, and only among acknowledged writes.
    expect(report.shards).toHaveLength(3);
    expect(report.shards.reduce((sum, shard) => sum + shard.lostAckedWrites, 0)).toBe(report.lostAckedWrites);
    expect(report.lostAckedWrites).toBeLessThanOrEqual(report.acked);
    expect(report.clientRtoMs).toBeGreaterThan(0);
    const types = (await drills.store.read(state.id)).map((event) => event.type);
    expect(types.indexOf('ProbeStarted')).toBeLessThan(types.indexOf('NodeKilled'));
    expect(types.indexOf('ProbeReported')).toBeGreaterThan(types.indexOf('HealthGatePassed'));
  });

  it('runs no probe when the drill asks for none', async () => {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: 'lab', trigger: 'manual', options: { probe: false } },
    });
    const { state } = await drills.runner.run(id);
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(state.probe).toBeUndefined();
  });
});
