import { pending, satisfied, waitFor } from '../../common/wait-for.js';
import { canaries } from '../canaries.js';
import type { DrillEvent } from '../drill-events.js';
import { targetNodes } from '../../targets/drill-target.js';
import { topologyDifferences } from '../topology-match.js';
import { restartFresh } from './group-restore.js';
import { pauseReplicaMigration, REPLICA_MIGRATION_SETTING, restoreReplicaMigration } from './replica-migration.js';
import { elapsedSince, recordedId, recordedMaster, type DrillStep } from './step-context.js';
import { containerNames, idOf, nodeNames, replicationAuthOperations, type StepDefinition } from './step-definition.js';

/**
 * Back to the starting topology after the failover, with no acknowledged write lost:
 * 1. the original group restarts as fresh nodes and joins the cluster;
 * 2. its masters-to-be replicate the serving masters and, one shard at a time, take their slots
 *    back while the serving master holds its writes and they catch up (see `handOver`);
 * 3. its other nodes replicate their masters again, and the standbys, demoted by the failover,
 *    are standby replicas of the original masters once more;
 * 4. the spares are reset and forgotten everywhere, empty as they were;
 * 5. the health gate, every canary, and the topology by node name match the start.
 * Each part looks at the live cluster first and does only what is left, so a run cut short by a
 * crash continues where it stood.
 */
const run: DrillStep = async (context) => {
  const { admin, layout } = context;
  const started = context.clock.now();
  const original = [...layout.servingMasters, ...layout.servingReplicas];
  const { standbys, spares } = layout;
  const events: DrillEvent[] = [];

  await restartFresh(context, original);
  // Masters change shard by shard here too: no replica may wander to a master promoted a moment ago.
  await pauseReplicaMigration(context, [...original, ...standbys, ...spares]);
  await admin.meet(original, [...standbys, ...spares]);
  events.push({ type: 'GroupRejoined', data: { group: layout.from, nodes: original.map((node) => node.name) } });
  await context.checkpoint('failback:rejoined');

  const shards = layout.servingMasters.map((master) => {
    const serving = standbys.find((standby) => recordedMaster(context, standby) === master);
    if (!serving) {
      throw new Error(`no standby was recorded replicating ${master.name} in prepare`);
    }
    return { master, serving };
  });
  const handedBack = await Promise.all(
    shards.map(async ({ master }) => {
      const self = (await admin.entries(master)).find((entry) => entry.myself);
      return self?.role === 'master' && self.slots.length > 0;
    }),
  );
  const open = shards.filter((_, index) => !handedBack[index]);
  await admin.replicate(
    open.map(({ master, serving }) => ({ replica: master, master: serving })),
    [...original, ...standbys],
  );
  for (const { master, serving } of open) {
    const { method, tookMs } = await admin.handOver(master, serving, [...original, ...standbys]);
    events.push({
      type: 'ShardHandedBack',
      data: { node: master.name, from: serving.name, method, tookMs: Math.round(tookMs * 100) / 100 },
    });
    await context.checkpoint(`failback:handed-back-${master.name}`);
  }

  await admin.replicate(
    [...layout.servingReplicas, ...standbys].map((replica) => ({ replica, master: recordedMaster(context, replica) })),
    [...original, ...standbys],
  );

  events.push(...(await restoreReplicaMigration(context, [...original, ...standbys, ...spares])));
  const joined = await Promise.all(spares.map(async (spare) => (await admin.entries(spare)).length > 1));
  const toReset = spares.filter((_, index) => joined[index]);
  await Promise.all(toReset.map((spare) => admin.resetHard(spare)));
  events.push(...toReset.map((spare) => ({ type: 'NodeReset' as const, data: { node: spare.name, nodeId: recordedId(context, spare) } })));
  const remaining = [...original, ...standbys];
  await admin.forget(
    spares.map((spare) => recordedId(context, spare)),
    remaining,
  );
  await admin.waitHealthy(remaining, {
    masters: layout.servingMasters.length,
    replicasPerMaster: layout.replicasPerMaster + 1,
    maxReplicaLagBytes: context.settings.maxReplicaLagBytes,
  });

  const expected = canaries(context.drillId, context.settings.canaryKeys);
  const found = await context.keyspace.read(
    layout.servingMasters,
    expected.map((canary) => canary.key),
  );
  const missing = expected.filter((canary) => found.get(canary.key) !== canary.value).length;
  if (missing > 0) {
    throw new Error(`${missing} of ${expected.length} canary keys are missing or changed after the failback`);
  }
  // Gossip settles the last roles within moments of the health gate; the topology must match by then.
  await waitFor(
    async () => {
      const differences = topologyDifferences(context.state.topology, await admin.snapshots([...remaining, ...spares]));
      return differences.length === 0 ? satisfied(undefined) : pending(differences.join('; '));
    },
    { description: 'the topology to match the one before the drill', timeoutMs: 10_000, intervalMs: 50 },
  );
  events.push({ type: 'StartingTopologyRestored', data: { serving: layout.from, failbackMs: elapsedSince(context.clock, started) } });
  return events;
};

export const failback: StepDefinition<'failback'> = {
  name: 'failback',
  run,
  plan: ({ target, layout }) => {
    const { servingMasters, servingReplicas, standbys, spares } = layout;
    const original = [...servingMasters, ...servingReplicas];
    const everyNode = nodeNames(targetNodes(target));
    return [
      { action: `start the ${layout.from} group again with an empty cluster config`, containers: containerNames(original) },
      ...replicationAuthOperations(target, original),
      {
        action: 'hold off replica migration while masters change',
        command: `CONFIG SET ${REPLICA_MIGRATION_SETTING} no`,
        nodes: everyNode,
      },
      ...original.map((node) => ({
        action: `introduce ${node.name} to the serving cluster`,
        command: 'CLUSTER MEET 127.0.0.1 <port>',
        nodes: [node.name],
      })),
      ...servingMasters.flatMap((master, index) => {
        const current = standbys[index]!;
        return [
          {
            action: `make ${master.name} a replica of ${current.name}`,
            command: `CLUSTER REPLICATE ${idOf(current)}`,
            nodes: [master.name],
          },
          {
            action: `hold writes on ${current.name}, and once ${master.name} has caught up, hand it the slots back`,
            command: 'CLIENT PAUSE WRITE, CLUSTER FAILOVER TAKEOVER, CLIENT UNPAUSE',
            nodes: [current.name, master.name],
          },
        ];
      }),
      ...[...servingReplicas, ...standbys].map((node, index) => {
        const master = servingMasters[index % servingMasters.length]!;
        return {
          action: `make ${node.name} a replica of ${master.name}`,
          command: `CLUSTER REPLICATE ${idOf(master)}`,
          nodes: [node.name],
        };
      }),
      {
        action: 'put back the recorded replica-migration settings',
        command: `CONFIG SET ${REPLICA_MIGRATION_SETTING} <recorded value>`,
        nodes: everyNode,
      },
      { action: 'empty the spares and make them forget the cluster', command: 'FLUSHALL, CLUSTER RESET HARD', nodes: nodeNames(spares) },
      ...spares.map((node) => ({
        action: `forget ${node.name}`,
        command: `CLUSTER FORGET ${idOf(node)}`,
        nodes: nodeNames([...original, ...standbys]),
      })),
      {
        action: 'health gate, canaries and the starting topology, node by node',
        command: 'CLUSTER NODES, GET drill:<id>:canary:<n>',
        nodes: everyNode,
      },
    ];
  },
};
