import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillState } from '../src/drills/drill-state.js';
import { failoverLayout, targetNodes } from '../src/targets/drill-target.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('a drill on a target whose standbys are not attached', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  let state: DrillState;

  beforeAll(async () => {
    lab = await startTestLab({ name: 'rdtest-notready', basePort: 7200 }, { form: false });
    const layout = failoverLayout(lab.target, 'A');
    // Cluster A only: the seed's step 2 without step 4.
    await lab.admin.createCluster(layout.servingMasters, layout.servingReplicas);
    drills = await drillRunnerFor(lab);
    state = await drills.runDrill();
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  it('fails at prepare, refused by the preflight before the kill, saying which standby is not attached', () => {
    expect(state.status).toBe('failed');
    expect(state.steps.map((step) => step.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(state.error).toContain('refused: preflight failed: target-ready: not ready for a failover');
    for (const standby of ['b1 (127.0.0.1:7211)', 'b2 (127.0.0.1:7212)', 'b3 (127.0.0.1:7213)']) {
      expect(state.error).toContain(`standby ${standby} does not replicate a master of group A`);
    }
  });

  it('records the reason in its events and nothing that touched a node', async () => {
    const types = (await drills.store.read(state.id)).map((event) => event.type);
    expect(types).toEqual(['DrillRequested', 'DrillStarted', 'LeaseAcquired', 'StepStarted', 'StepFailed', 'DrillRefused']);
  });

  it('leaves every container running and cluster A serving', async () => {
    for (const node of targetNodes(lab.target)) {
      expect((await lab.docker.getContainer(node.containerName).inspect()).State.Running).toBe(true);
    }
    const layout = failoverLayout(lab.target, 'A');
    expect(
      await lab.admin.healthProblems([...layout.servingMasters, ...layout.servingReplicas], {
        masters: 3,
        replicasPerMaster: 1,
        maxReplicaLagBytes: 0,
      }),
    ).toEqual([]);
  });
});
