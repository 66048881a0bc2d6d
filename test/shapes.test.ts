import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSlots } from '../src/cluster/cluster-nodes.parser.js';
import { selfEntry } from '../src/cluster/node-snapshot.js';
import { systemClock } from '../src/common/clock.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import type { ScenarioName } from '../src/drills/scenarios.js';
import { topologyDifferences } from '../src/drills/topology-match.js';
import { failoverLayout, targetNodes, type TargetNode } from '../src/targets/drill-target.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

/** A lab of its own and the runner on it, for one `describe`. */
function labOfShape(name: string, shards: number, replicasPerMaster: number) {
  const context = {} as { lab: TestLab; drills: Awaited<ReturnType<typeof drillRunnerFor>> };
  beforeAll(async () => {
    context.lab = await startTestLab(await freeLab(name, { shards, replicasPerMaster }), { form: true });
    context.drills = await drillRunnerFor(context.lab);
  });
  afterAll(async () => {
    await context.drills?.close();
    await context.lab?.close();
  });
  return context;
}

async function runDrill(context: ReturnType<typeof labOfShape>, scenario: ScenarioName): Promise<DrillState> {
  const id = randomUUID();
  await DrillStream.create(context.drills.store, systemClock, id, 'test', {
    type: 'DrillRequested',
    data: { scenario, target: 'lab', trigger: 'manual' },
  });
  const { state } = await context.drills.runner.run(id);
  await expectDrillEnded(context.drills.store, state, 'succeeded');
  return state;
}

/** Each master's slot ranges as its node reports them, by node name. */
async function rangesOf(lab: TestLab, masters: readonly TargetNode[]): Promise<Record<string, string>> {
  const snapshots = await lab.admin.snapshots(masters);
  return Object.fromEntries(
    snapshots.map((snapshot) => {
      if (!snapshot.reachable) {
        throw new Error(snapshot.error);
      }
      return [snapshot.node.name, formatSlots(selfEntry(snapshot).slots)];
    }),
  );
}

describe.each([
  [1, 1],
  [3, 2],
  [9, 1],
])('a failover and failback cycle on %i shard(s) with %i replica(s) per master', (shards, replicas) => {
  const context = labOfShape(`shapes-${shards}x${replicas}`, shards, replicas);

  it('ends in the topology it started from, with every canary and the health gate green', async () => {
    const { lab } = context;
    const layout = failoverLayout(lab.target, 'A');
    expect(layout.servingMasters).toHaveLength(shards);
    expect(layout.spares).toHaveLength(shards * replicas);

    const drill = await runDrill(context, 'failover-and-failback');
    const events = await context.drills.store.read(drill.id);
    const attached = events.filter((event) => event.type === 'ReplicaAttached');
    expect(attached).toHaveLength(shards * replicas);
    expect(events.filter((event) => event.type === 'ShardHandedBack')).toHaveLength(shards);
    expect(drill.probe?.state === 'reported' && drill.probe.report.lostAckedWrites).toBe(0);
    expect(topologyDifferences(drill.topology, await lab.admin.snapshots(targetNodes(lab.target)))).toEqual([]);
    const serving = [...layout.servingMasters, ...layout.servingReplicas, ...layout.standbys];
    expect(
      await lab.admin.healthProblems(serving, { masters: shards, replicasPerMaster: replicas + 1, maxReplicaLagBytes: 64 * 1024 }),
    ).toEqual([]);
    expect(await lab.missingCanaries(drill.id, layout.servingMasters)).toEqual([]);
  });
});

describe('slot ranges that are not the even split', () => {
  const context = labOfShape('shapes-resharded', 3, 1);
  /** As a reshard leaves them: a1 gives 100–199 to a3 and takes 6000–6099 from a2; a1 then serves three ranges. */
  const moves = [
    { from: 'a1', to: 'a3', start: 100, end: 199 },
    { from: 'a2', to: 'a1', start: 6000, end: 6099 },
  ];
  const resharded = { a1: '0-99 200-5460 6000-6099', a2: '5461-5999 6100-10922', a3: '100-199 10923-16383' };

  beforeAll(async () => {
    const { lab } = context;
    const masters = failoverLayout(lab.target, 'A').servingMasters;
    const byName = new Map(masters.map((node) => [node.name, node]));
    for (const move of moves) {
      const receiver = byName.get(move.to)!;
      const receiverId = await lab.admin.myId(receiver);
      const slots = Array.from({ length: move.end - move.start + 1 }, (_, index) => move.start + index);
      // The slots are empty, so every master can simply be told their new owner; the bumped epoch makes the claim win everywhere.
      await Promise.all(
        masters.flatMap((master) => slots.map((slot) => lab.connections.command(master, 'CLUSTER', 'SETSLOT', slot, 'NODE', receiverId))),
      );
      await lab.connections.command(receiver, 'CLUSTER', 'BUMPEPOCH');
    }
    const layout = failoverLayout(lab.target, 'A');
    await lab.admin.waitHealthy([...layout.servingMasters, ...layout.servingReplicas, ...layout.standbys], {
      masters: 3,
      replicasPerMaster: 2,
      maxReplicaLagBytes: 0,
    });
    expect(await rangesOf(lab, masters)).toEqual(resharded);
  });

  it('fail over to the standbys with exactly those ranges, and back to the same masters', async () => {
    const { lab } = context;
    const there = await runDrill(context, 'group-failover');
    const standbys = failoverLayout(lab.target, 'A').standbys;
    const taken = await rangesOf(lab, standbys);
    // Each standby serves exactly the ranges of the master it replicated.
    for (const standby of standbys) {
      const master = there.topology.find((node) => node.name === standby.name)!.replicates as keyof typeof resharded;
      expect(taken[standby.name], standby.name).toBe(resharded[master]);
    }

    const cycle = await runDrill(context, 'failover-and-failback');
    expect(cycle.direction).toEqual({ from: 'B', to: 'A' });
    expect(topologyDifferences(cycle.topology, await lab.admin.snapshots(targetNodes(lab.target)))).toEqual([]);
    const back = await runDrill(context, 'group-failover');
    expect(back.direction).toEqual({ from: 'B', to: 'A' });
    expect(await rangesOf(lab, failoverLayout(lab.target, 'A').servingMasters)).toEqual(resharded);
  });
});
