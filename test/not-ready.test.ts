import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillEvent } from '../src/drills/drill-events.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { failoverLayout, targetNodes } from '../src/targets/drill-target.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

/** The events of a drill its preflight refused at prepare, in order: none records a node touched, and none a retry. */
const REFUSED_AT_PREPARE: DrillEvent['type'][] = [
  'DrillRequested',
  'DrillStarted',
  'LeaseAcquired',
  'StepStarted',
  'ServersIdentified',
  'StepFailed',
  'DrillRefused',
];

describe('a drill on a target whose standbys are not attached', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  let state: DrillState;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-notready'), { form: false });
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

  it('fails at prepare, refused by the preflight before the kill, saying which standby is not attached', async () => {
    await expectDrillEnded(drills.store, state, 'failed');
    expect(state.steps.map((step) => step.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(state.error).toContain('refused: preflight failed: target-ready: not ready for a failover');
    for (const standby of lab.target.groups.B.slice(0, 3).map((node) => `${node.name} (${node.host}:${node.port})`)) {
      expect(state.error).toContain(`standby ${standby} does not replicate a master of group A`);
    }
  });

  it('records the reason in its events and nothing that touched a node', async () => {
    const types = (await drills.store.read(state.id)).map((event) => event.type);
    expect(types).toEqual(REFUSED_AT_PREPARE);
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

describe('a drill back to A while B serves with a replica down', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  let state: DrillState;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-notready-back'), { form: true });
    drills = await drillRunnerFor(lab);
    const there = await drills.runDrill();
    await expectDrillEnded(drills.store, there, 'succeeded');
    // B serves and A stands stopped, as the drill left it; then one of B's replicas dies.
    await lab.docker.getContainer('rdtest-notready-back-b4').stop({ t: 0 });
    state = await drills.runDrill();
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  it('is refused at prepare, naming the serving group and the stopped group it left alone', async () => {
    await expectDrillEnded(drills.store, state, 'failed');
    expect(state.error).toContain('refused: preflight failed: target-ready: not ready for a failover: serving group B:');
    expect(state.error).toContain('the stopped group A was left as it is');
  });

  it('does not start the stopped group A, nor record anything that touched a node', async () => {
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) {
      expect((await lab.docker.getContainer(`rdtest-notready-back-${name}`).inspect()).State.Running, name).toBe(false);
    }
    // The refusal quotes the unreachable replica's connection error, and is still not retried.
    const types = (await drills.store.read(state.id)).map((event) => event.type);
    expect(types).toEqual(REFUSED_AT_PREPARE);
  });
});
