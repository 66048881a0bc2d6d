import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import type { Docker } from '../src/docker/docker-engine.js';
import type { DrillEvent, RecordedDrillEvent } from '../src/drills/drill-events.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import type { ScenarioName } from '../src/drills/scenarios.js';
import { DRILL_STEPS } from '../src/drills/steps/drill-steps.js';
import type { StepContext, StepRegistry } from '../src/drills/steps/step-context.js';
import { topologyDifferences } from '../src/drills/topology-match.js';
import { labTarget } from '../src/lab/lab-topology.js';
import { failoverLayout, targetNodes, type DrillTarget, type GroupName, type TargetNode } from '../src/targets/drill-target.js';
import { startUnrelatedRedis } from './support/containers.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab, freePortBlock } from './support/free-ports.js';
import { startSecondDockerEngine, type SecondDockerEngine } from './support/second-docker-engine.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const SETTINGS = await freeLab('engines-two');
/** How long the second engine stays away when it restarts mid-drill: the fault's shape, not a wait. */
const ENGINE_AWAY_MS = 3_000;
const HEALTHY = { masters: 3, replicasPerMaster: 1, maxReplicaLagBytes: 64 * 1024 };

const ofType = <T extends DrillEvent['type']>(events: readonly RecordedDrillEvent[], type: T) =>
  events.filter((event): event is Extract<RecordedDrillEvent, { type: T }> => event.type === type);

/** A container as its engine reports it: whether it runs, and when it last started. */
const stateOf = async (engine: Docker, name: string) => {
  const { State } = await engine.getContainer(name).inspect();
  return { running: State.Running, startedAt: State.StartedAt };
};

// Group A on the tests' usual engine, group B on a second dockerd reached over TCP with TLS client
// certificates. On each engine a decoy carries the target's label and the name of a node that
// lives on the other engine: a lookup on the wrong engine would find it and act on it.
describe('a target whose groups run on two Docker engines', () => {
  let lab: TestLab;
  let second: SecondDockerEngine;
  let target: DrillTarget;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  const decoys: { engine: Docker; name: string; startedAt: string; remove(): Promise<void> }[] = [];
  // Runners with steps of a case's own, kept open to the end: a drill that ends unexpectedly prints its events from their stores.
  const ownRunners: Awaited<ReturnType<typeof drillRunnerFor>>[] = [];

  const engineOf = (node: TargetNode): Docker => (node.engine === 'second' ? second.docker : lab.docker);
  const statesOf = (nodes: readonly TargetNode[]) => Promise.all(nodes.map((node) => stateOf(engineOf(node), node.containerName)));

  beforeAll(async () => {
    lab = await startTestLab(SETTINGS, { form: false });
    second = await startSecondDockerEngine(lab.docker, [lab.image]);
    const base = labTarget(SETTINGS, 'lab');
    target = {
      ...base,
      engines: { second: second.spec },
      groups: { A: base.groups.A, B: base.groups.B.map((node) => ({ ...node, engine: 'second' })) },
    };
    // The lab made every node on the first engine; B's move to the second one, as they are.
    for (const node of target.groups.B) {
      const made = lab.docker.getContainer(node.containerName);
      const { Config } = await made.inspect();
      await made.remove({ force: true });
      const moved = await second.docker.createContainer({
        name: node.containerName,
        Image: Config.Image,
        Cmd: Config.Cmd,
        Labels: Config.Labels,
        HostConfig: { NetworkMode: 'host', RestartPolicy: { Name: 'no' } },
      });
      await moved.start();
    }
    await lab.admin.waitAnswering(target.groups.B, 20_000);
    await lab.lab.form();
    drills = await drillRunnerFor({ ...lab, target });
    const port = await freePortBlock(2);
    const label = { [target.containerLabel.key]: target.containerLabel.value };
    for (const [engine, name, at] of [
      [lab.docker, target.groups.B[0]!.containerName, port],
      [second.docker, target.groups.A[0]!.containerName, port + 1],
    ] as const) {
      const decoy = await startUnrelatedRedis(engine, lab.image, name, at, label);
      decoys.push({ engine, name, startedAt: (await stateOf(engine, name)).startedAt, remove: () => decoy.remove() });
    }
  });

  afterAll(async () => {
    await Promise.all(decoys.map((decoy) => decoy.remove()));
    await Promise.all(ownRunners.map((runner) => runner.close()));
    await drills?.close();
    await second?.remove();
    await lab?.close();
  });

  /** Runs one drill to its end, with these steps when given. */
  async function drill(scenario: ScenarioName, steps?: StepRegistry) {
    const runner = steps ? await drillRunnerFor({ ...lab, target }, { steps }) : drills;
    if (steps) {
      ownRunners.push(runner);
    }
    const id = randomUUID();
    await DrillStream.create(runner.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual' },
    });
    const { state } = await runner.runner.run(id);
    const events = await runner.store.read<DrillEvent>(id);
    return { id, state, events, store: runner.store };
  }

  const killedBy = (events: readonly RecordedDrillEvent[]) =>
    Object.fromEntries(ofType(events, 'NodeKilled').map((event) => [event.data.node, event.data.method]));
  const servingAfter = (from: GroupName) => {
    const layout = failoverLayout(target, from);
    return [...layout.standbys, ...layout.spares];
  };

  const expectDecoysUntouched = async () => {
    for (const decoy of decoys) {
      expect(await stateOf(decoy.engine, decoy.name)).toEqual({ running: true, startedAt: decoy.startedAt });
    }
  };

  it('fails over: kills A on the first engine and leaves B on the second running as it was', async () => {
    const before = await statesOf(target.groups.B);
    const { id, state, events, store } = await drill('group-failover');
    await expectDrillEnded(store, state, 'succeeded');
    const killed = killedBy(events);
    expect(Object.keys(killed).sort()).toEqual(target.groups.A.map((node) => node.name).sort());
    expect((await statesOf(target.groups.A)).map((node) => node.running)).toEqual(Array(6).fill(false));
    expect(await statesOf(target.groups.B)).toEqual(before);
    expect(await lab.admin.healthProblems(servingAfter('A'), HEALTHY)).toEqual([]);
    expect(await lab.missingCanaries(id, servingAfter('A'))).toEqual([]);
    await expectDecoysUntouched();
  });

  it('aborted after the kill: restarts A on the first engine, kills B through the second, and finishes the failover', async () => {
    const steps = {
      ...DRILL_STEPS,
      kill: async (context: StepContext) => {
        const events = await DRILL_STEPS.kill(context);
        await context.record({ type: 'AbortRequested', data: { reason: 'stop after kill' } });
        return events;
      },
    };
    const { id, state, events, store } = await drill('group-failover', steps);
    await expectDrillEnded(store, state, 'aborted');
    expect(ofType(events, 'StandbyGroupRestored').map((event) => event.data.group)).toEqual(['A']);
    // Every B node was killed through the second engine's API: its process ids are not this host's to signal.
    expect(killedBy(events)).toEqual(Object.fromEntries(target.groups.B.map((node) => [node.name, 'engine'])));
    expect((await statesOf(target.groups.B)).map((node) => node.running)).toEqual(Array(6).fill(false));
    expect((await statesOf(target.groups.A)).map((node) => node.running)).toEqual(Array(6).fill(true));
    expect(await lab.admin.healthProblems(servingAfter('B'), HEALTHY)).toEqual([]);
    expect(await lab.missingCanaries(id, servingAfter('B'))).toEqual([]);
    await expectDecoysUntouched();
  });

  it('fails over and back: B restarted on the second engine, A killed and restarted on the first, the topology as before', async () => {
    const { id, state, events, store } = await drill('failover-and-failback');
    await expectDrillEnded(store, state, 'succeeded');
    expect(ofType(events, 'StandbyGroupRestored').map((event) => event.data.group)).toEqual(['B']);
    expect(Object.keys(killedBy(events)).sort()).toEqual(target.groups.A.map((node) => node.name).sort());
    expect(ofType(events, 'GroupRejoined').map((event) => event.data.group)).toEqual(['A']);
    expect((await statesOf(targetNodes(target))).every((node) => node.running)).toBe(true);
    expect(topologyDifferences(state.topology, await lab.admin.snapshots(targetNodes(target)))).toEqual([]);
    expect(await lab.missingCanaries(id, target.groups.A.slice(0, 3))).toEqual([]);
    await expectDecoysUntouched();
  });

  describe('when the second engine goes away', () => {
    it('after the kill of A, the failover finishes: nothing after it needs the second engine', async () => {
      const steps = {
        ...DRILL_STEPS,
        kill: async (context: StepContext) => {
          const events = await DRILL_STEPS.kill(context);
          await second.stop();
          return events;
        },
      };
      const { id, state, store } = await drill('group-failover', steps);
      expect(second.running()).toBe(false);
      await expectDrillEnded(store, state, 'succeeded');
      expect(await lab.admin.healthProblems(servingAfter('A'), HEALTHY)).toEqual([]);
      expect(await lab.missingCanaries(id, servingAfter('A'))).toEqual([]);
    });

    it('while it is away, the next drill is refused before anything is touched, naming the engine', async () => {
      const before = await statesOf(target.groups.A);
      const { state, events, store } = await drill('group-failover');
      await expectDrillEnded(store, state, 'failed');
      const [refusal] = ofType(events, 'DrillRefused');
      const problems = refusal!.data.failedChecks.map((failed) => failed.problem).join('; ');
      expect(problems).toContain(`the Docker engine second (tcp://127.0.0.1:${second.port}) does not answer`);
      expect(ofType(events, 'NodeKilled')).toEqual([]);
      expect(ofType(events, 'StandbyRestoreStarted')).toEqual([]);
      expect(await statesOf(target.groups.A)).toEqual(before);
      expect(await lab.admin.healthProblems(servingAfter('A'), HEALTHY)).toEqual([]);
    });

    it('right before the kill of B, the drill fails naming the engine, and B still serves', async () => {
      await second.start();
      await expectDecoysUntouched();
      const steps = {
        ...DRILL_STEPS,
        kill: async (context: StepContext) => {
          await second.stop();
          return DRILL_STEPS.kill(context);
        },
      };
      const { state, events, store } = await drill('group-failover', steps);
      await expectDrillEnded(store, state, 'failed');
      expect(state.error).toContain(`the Docker engine second (tcp://127.0.0.1:${second.port}) does not answer`);
      // Nothing was killed: A, restarted as the standby group by prepare, still runs on the first engine.
      expect(ofType(events, 'NodeKilled')).toEqual([]);
      expect(ofType(events, 'StandbyGroupRestored').map((event) => event.data.group)).toEqual(['A']);
      expect((await statesOf(target.groups.A)).map((node) => node.running)).toEqual(Array(6).fill(true));
      expect(await lab.admin.healthProblems(servingAfter('A'), HEALTHY)).toEqual([]);
      await second.start();
      expect((await statesOf(target.groups.B)).map((node) => node.running)).toEqual(Array(6).fill(true));
      await expectDecoysUntouched();
    });

    it('restarted right before the kill of B, the drill waits for it, kills B once through it, and finishes', async () => {
      // The case before starts the engine again at its end; when it failed before that, this one still starts from an engine that runs.
      if (!second.running()) {
        await second.start();
      }
      let restarted: Promise<void> | undefined;
      const steps = {
        ...DRILL_STEPS,
        kill: async (context: StepContext) => {
          if (restarted) {
            return DRILL_STEPS.kill(context);
          }
          await second.stop();
          try {
            return await DRILL_STEPS.kill(context);
          } finally {
            // Back only once the kill has found it away, and after longer than the retries' backoffs together
            // (250 + 500 ms): only the runner's wait for the engine (up to 30 s) bridges the gap.
            restarted = sleep(ENGINE_AWAY_MS).then(() => second.start());
          }
        },
      };
      const { id, state, events, store } = await drill('group-failover', steps);
      await restarted;
      await expectDrillEnded(store, state, 'succeeded');
      const retried = ofType(events, 'StepRetried');
      expect(retried.map((event) => event.data.step)).toEqual(['kill']);
      expect(retried[0]!.data.error).toContain(`127.0.0.1:${second.port}`);
      // Each B node killed once, through the engine that came back; none of A touched.
      expect(
        ofType(events, 'NodeKilled')
          .map((event) => event.data.node)
          .sort(),
      ).toEqual(target.groups.B.map((node) => node.name).sort());
      expect(killedBy(events)).toEqual(Object.fromEntries(target.groups.B.map((node) => [node.name, 'engine'])));
      expect(second.running()).toBe(true);
      expect((await statesOf(target.groups.B)).map((node) => node.running)).toEqual(Array(6).fill(false));
      expect((await statesOf(target.groups.A)).map((node) => node.running)).toEqual(Array(6).fill(true));
      expect(await lab.admin.healthProblems(servingAfter('B'), HEALTHY)).toEqual([]);
      expect(await lab.missingCanaries(id, servingAfter('B'))).toEqual([]);
      await expectDecoysUntouched();
    });
  });
});
