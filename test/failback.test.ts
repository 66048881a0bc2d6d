import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import type { ScenarioName } from '../src/drills/scenarios.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { topologyDifferences } from '../src/drills/topology-match.js';
import { failoverLayout, targetNodes, type GroupName } from '../src/targets/drill-target.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('failing back, and failing over in either direction, on one lab with no repair in between', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-failback'), { form: true });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  async function run(scenario: ScenarioName): Promise<DrillState> {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual' },
    });
    return (await drills.runner.run(id)).state;
  }

  /** Serving group with three masters owning the standard slot ranges, each with two synced replicas. */
  async function expectServing(group: GroupName, drill: DrillState) {
    const layout = failoverLayout(lab.target, group);
    const nine = [...layout.servingMasters, ...layout.servingReplicas, ...layout.standbys];
    expect(await lab.admin.healthProblems(nine, { masters: 3, replicasPerMaster: 2, maxReplicaLagBytes: 64 * 1024 })).toEqual([]);
    expect(await lab.missingCanaries(drill.id, layout.servingMasters)).toEqual([]);
  }

  it('runs five failover-and-failback cycles in a row, each ending in the topology it started from', async () => {
    for (let cycle = 1; cycle <= 5; cycle++) {
      const drill = await run('failover-and-failback');
      expect(drill.error, `cycle ${cycle}`).toBeUndefined();
      await expectDrillEnded(drills.store, drill, 'succeeded');
      expect(drill.direction).toEqual({ from: 'A', to: 'B' });
      expect(drill.timings.failbackMs).toBeGreaterThan(0);
      const types = (await drills.store.read(drill.id)).map((event) => event.type);
      expect(types.filter((type) => type === 'ShardHandedBack')).toHaveLength(3);
      expect(types).toContain('StartingTopologyRestored');
      // By node name: every node back in the role, master and slots it had before the drill.
      expect(topologyDifferences(drill.topology, await lab.admin.snapshots(targetNodes(lab.target)))).toEqual([]);
      await expectServing('A', drill);
    }
  });

  it('fails over A to B, then B back to A, restoring the stopped standby group each time', async () => {
    const there = await run('group-failover');
    expect(there).toMatchObject({ status: 'succeeded', direction: { from: 'A', to: 'B' } });
    for (const node of lab.target.groups.A) {
      expect((await lab.docker.getContainer(node.containerName).inspect()).State.Running).toBe(false);
    }

    const back = await run('group-failover');
    expect(back.error).toBeUndefined();
    expect(back).toMatchObject({ status: 'succeeded', direction: { from: 'B', to: 'A' } });
    const types = (await drills.store.read(back.id)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['StandbyRestoreStarted', 'StandbyGroupRestored']));
    const layout = failoverLayout(lab.target, 'A');
    expect(
      await lab.admin.healthProblems([...layout.servingMasters, ...layout.servingReplicas], {
        masters: 3,
        replicasPerMaster: 1,
        maxReplicaLagBytes: 64 * 1024,
      }),
    ).toEqual([]);
    for (const node of lab.target.groups.B) {
      expect((await lab.docker.getContainer(node.containerName).inspect()).State.Running).toBe(false);
    }

    // And a cycle from there: B is the stopped group, so prepare brings it back first.
    const cycle = await run('failover-and-failback');
    expect(cycle.error).toBeUndefined();
    await expectDrillEnded(drills.store, cycle, 'succeeded');
    await expectServing('A', cycle);
  });
});
