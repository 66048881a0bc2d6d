/**
 * How long the promotions take right after the masters die, against the same once the engine has
 * finished tearing down the dead masters' containers. On one host, the kernel's teardown of
 * killed containers (their cgroups, memory and mounts) runs on the same cores as the servers that
 * are to take over; on separate machines it would not.
 *
 * Each cycle kills the lab's three masters the way a drill does (a SIGKILL to each container's
 * process, through `DockerNodeControl`) and promotes their replicas the way a drill does
 * (`CLUSTER FAILOVER TAKEOVER` with `ROLE` behind it, through `ClusterAdmin.takeover`), under one
 * of three conditions, taken in turn:
 * - `after the teardown`: the promotions wait until the engine reports the three containers stopped;
 * - `at once, 3 killed`: they go out as soon as the signals have;
 * - `at once, 6 killed`: the same, with three more of the lab's containers killed with the masters,
 *   as many as a drill kills (a group's masters and replicas): three of group B's, which forms a
 *   cluster of its own here.
 * The killed containers are then started again and the old masters become replicas of the new
 * ones, so that the next cycle goes the other way. The lab is the benchmark's own and is removed
 * at the end.
 *
 *   npm run bench:promotion -- [--cycles 12]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import type { NodeControl } from '../src/nodes/node-control.js';
import { DockerNodeControl } from '../src/nodes/docker-node-control.js';
import { targetNodes, type TargetNode } from '../src/targets/drill-target.js';
import { freeLab } from '../test/support/free-ports.js';
import { startTestLab, type TestLab } from '../test/support/test-lab.js';
import { formatMs, median, percentile } from './stats.js';

const CONDITIONS = ['after the teardown', 'at once, 3 killed', 'at once, 6 killed'] as const;
type Condition = (typeof CONDITIONS)[number];

/** The slowest of the three promotions of one cycle, and how long the engine took to report the kills. */
interface Sample {
  readonly promotionsMs: number;
  readonly stoppedMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cycles: { type: 'string', default: '12' } } });
  const cycles = Number(values.cycles);
  if (!Number.isInteger(cycles) || cycles < CONDITIONS.length) {
    throw new Error(`--cycles must be an integer of at least ${CONDITIONS.length}`);
  }
  const lab = await startTestLab(await freeLab('rdbench-promotion'), { form: false });
  try {
    // Group B as a cluster of its own, so that the A masters' replicas are the A group's alone.
    await lab.lab.form('separate');
    const nodes = new DockerNodeControl(lab.docker, lab.target);
    const samples = new Map<Condition, Sample[]>(CONDITIONS.map((condition) => [condition, []]));
    for (let cycle = 0; cycle < cycles; cycle++) {
      const condition = CONDITIONS[cycle % CONDITIONS.length]!;
      samples.get(condition)!.push(await promoteOnce(lab, nodes, condition));
    }
    console.log(`${cycles} cycles, each timed by its slowest promotion (TAKEOVER with ROLE):`);
    for (const [condition, taken] of samples) {
      const promotions = taken.map((sample) => sample.promotionsMs);
      console.log(
        `  ${condition.padEnd(20)} median ${formatMs(median(promotions))}, p90 ${formatMs(percentile(promotions, 0.9))}, ` +
          `max ${formatMs(Math.max(...promotions))}; the engine reported the kills after a median ${formatMs(median(taken.map((sample) => sample.stoppedMs)))} ` +
          `(${taken.length} cycles)`,
      );
    }
  } finally {
    await lab.connections.closeAll();
    await lab.close();
  }
}

/** One cycle: the masters killed and their replicas promoted under `condition`, then the lab made whole again. */
async function promoteOnce(lab: TestLab, nodes: NodeControl, condition: Condition): Promise<Sample> {
  const { masters, replicaOf } = await layout(lab);
  const takers = masters.map((master) => replicaOf.get(master)!);
  const bystanders = condition === 'at once, 6 killed' ? byName(lab, ['b4', 'b5', 'b6']) : [];
  const victims = [...masters, ...bystanders];
  const ids = await Promise.all(takers.map((node) => lab.admin.myId(node)));
  const oldIds = await Promise.all(masters.map((node) => lab.admin.myId(node)));
  // As a drill's takeover does, before its commands: the takers know the highest epoch of the cluster.
  await lab.admin.waitEpochsHeard(takers, clusterMembers(lab));
  // Checked first, fired together: the signals go out back to back, as a drill's do.
  const kills = await Promise.all(victims.map((node) => nodes.readyKill(node)));
  await Promise.all(kills.map((kill) => kill.fire()));
  const signalled = performance.now();
  const stopped = allStopped(nodes, victims).then(() => performance.now() - signalled);
  if (condition === 'after the teardown') {
    await stopped;
  }
  const started = performance.now();
  await Promise.all(takers.map((node, index) => lab.admin.takeover(node, ids[index], true)));
  const promotionsMs = performance.now() - started;
  const stoppedMs = await stopped;

  // Back to three masters with a replica each, the way a drill brings a killed group back: the dead
  // forgotten, the old masters started with no cluster state, met, and made replicas of the new ones.
  const survivors = clusterMembers(lab).filter((node) => !masters.includes(node));
  await lab.admin.forget(oldIds, survivors);
  await Promise.all([
    ...masters.map((node) => nodes.start(node, { wipeClusterState: true })),
    ...bystanders.map((node) => nodes.start(node)),
  ]);
  await lab.admin.waitAnswering(victims);
  await lab.admin.meet(masters, survivors);
  await lab.admin.replicate(
    masters.map((replica, index) => ({ replica, master: takers[index]! })),
    survivors,
  );
  return { promotionsMs, stoppedMs };
}

/** The lab's A masters and the replica of each, as the cluster reports them now. */
async function layout(lab: TestLab): Promise<{ masters: TargetNode[]; replicaOf: Map<TargetNode, TargetNode> }> {
  const group = clusterMembers(lab);
  const selves = await Promise.all(
    group.map(async (node) => ({ node, self: (await lab.admin.entries(node)).find((entry) => entry.myself)! })),
  );
  const masters = selves.filter(({ self }) => self.role === 'master' && self.slots.length > 0);
  const pairs = masters.map(({ node, self }) => [node, selves.find((candidate) => candidate.self.masterId === self.id)?.node] as const);
  if (masters.length !== 3 || pairs.some(([, replica]) => replica === undefined)) {
    throw new Error('cluster A is not three masters with a replica each');
  }
  const replicaOf = new Map(pairs.map(([master, replica]) => [master, replica!]));
  return { masters: masters.map(({ node }) => node), replicaOf };
}

/** The nodes of cluster A, beside which group B forms a cluster of its own. */
function clusterMembers(lab: TestLab): TargetNode[] {
  return byName(lab, ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
}

function byName(lab: TestLab, names: readonly string[]): TargetNode[] {
  return names.map((name) => targetNodes(lab.target).find((node) => node.name === name)!);
}

async function allStopped(nodes: NodeControl, victims: readonly TargetNode[]): Promise<void> {
  await waitFor(
    async () => {
      const states = await Promise.all(victims.map((node) => nodes.inspect(node)));
      return states.every((state) => !state.running) ? satisfied(undefined) : pending('a killed container still runs');
    },
    { description: 'the engine to report the killed containers stopped', timeoutMs: 30_000, intervalMs: 5 },
  );
}

await main();
