import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import { createDrillRunner } from '../src/drills/drill-runner.factory.js';
import { canaries } from '../src/drills/canaries.js';
import { readinessProblems } from '../src/drills/readiness.js';
import { UNCOORDINATED } from '../src/drills/drill-locks.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { DRILL_STEPS } from '../src/drills/steps/drill-steps.js';
import type { StepName } from '../src/drills/drill-events.js';
import { failoverLayout, targetNodes } from '../src/targets/drill-target.js';
import { TargetRegistry } from '../src/targets/target-registry.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe('aborting a drill on the Docker lab', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    lab = await startTestLab({ name: 'rdtest-abort', basePort: 7700 }, { form: true });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  /** Runs a drill whose abort is asked for, as the API asks, the moment `step` has done its work. */
  async function drillAbortedAfter(step: StepName) {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: 'lab', trigger: 'manual' },
    });
    const steps = { ...DRILL_STEPS };
    steps[step] = async (context) => {
      const events = await DRILL_STEPS[step](context);
      const stream = await drills.store.read(id);
      await drills.store.append(id, stream.length, [{ type: 'AbortRequested', data: { reason: `stop after ${step}` } }], {
        occurredAt: new Date(),
        actor: 'ops-bob',
      });
      return events;
    };
    const runner = createDrillRunner({
      store: drills.store,
      targets: new TargetRegistry([lab.target], 'lab'),
      admin: lab.admin,
      keyspace: lab.keyspace,
      docker: lab.docker,
      clock: systemClock,
      locks: UNCOORDINATED,
      worker: 'test-worker',
      steps,
    });
    const { state } = await runner.run(id);
    return { id, state, types: (await drills.store.read(id)).map((event) => event.type) };
  }

  it('before the kill, stops and leaves the target as it was', async () => {
    const { state, types } = await drillAbortedAfter('prepare');
    expect(state).toMatchObject({ status: 'aborted', error: 'aborted: stop after prepare' });
    expect(state.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(types).not.toContain('NodeKilled');
    for (const node of targetNodes(lab.target)) {
      expect((await lab.docker.getContainer(node.containerName).inspect()).State.Running).toBe(true);
    }
    const layout = failoverLayout(lab.target, 'A');
    expect(readinessProblems(layout, await lab.admin.snapshots(targetNodes(lab.target)), 64 * 1024)).toEqual([]);
  });

  it.each<StepName>(['kill', 'takeover'])('after %s, finishes the failover so that B ends healthy with every canary', async (step) => {
    await lab.lab.reset();
    const { id, state, types } = await drillAbortedAfter(step);
    expect(state.status).toBe('aborted');
    expect(state.error).toBe(`aborted: stop after ${step}`);
    expect(types.slice(types.indexOf('RecoveryStarted'))).toContain('HealthGatePassed');
    expect(types.at(-1)).toBe('DrillAborted');
    expect(state.steps.every((candidate) => candidate.status === 'succeeded')).toBe(true);
    const layout = failoverLayout(lab.target, 'A');
    const group = [...layout.standbys, ...layout.spares];
    expect(await lab.admin.healthProblems(group, { masters: 3, replicasPerMaster: 1, maxReplicaLagBytes: 64 * 1024 })).toEqual([]);
    const expected = canaries(id, 16384);
    const found = await lab.keyspace.read(
      group,
      expected.map((canary) => canary.key),
    );
    expect(expected.filter((canary) => found.get(canary.key) !== canary.value)).toEqual([]);
  });
});
