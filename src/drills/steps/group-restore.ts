import type { ClusterAdmin } from '../../cluster/cluster-admin.js';
import { formatAddress } from '../../cluster/node-address.js';
import type { NodeSnapshot } from '../../cluster/node-snapshot.js';
import {
  failoverLayout,
  targetNodes,
  type DrillTarget,
  type FailoverLayout,
  type GroupName,
  type TargetNode,
} from '../../targets/drill-target.js';
import { formStandbyGroup, type StandbyLayout } from '../../cluster/standby-group.js';
import type { DrillEvent } from '../drill-events.js';
import { servingGroupProblems } from '../readiness.js';
import { untilReady } from './until-ready.js';
import { elapsedSince, type StepContext } from './step-context.js';

/**
 * Which group serves now: the group of the node that owns slot 0, in the view of the first node
 * that answers. A drill fails over from that group to the other, so drills can go back and forth.
 */
export async function servingLayout(admin: ClusterAdmin, target: DrillTarget): Promise<FailoverLayout | undefined> {
  const group = servingGroup(target, await admin.snapshots(targetNodes(target)));
  return group ? failoverLayout(target, group) : undefined;
}

/** `servingLayout`'s decision, from snapshots of the target's nodes. */
export function servingGroup(target: DrillTarget, snapshots: readonly NodeSnapshot[]): GroupName | undefined {
  const byAddress = new Map(targetNodes(target).map((node) => [formatAddress(node), node]));
  for (const snapshot of snapshots) {
    if (!snapshot.reachable) {
      continue;
    }
    const owner = snapshot.entries.find((entry) => entry.role === 'master' && entry.slots.some((range) => range.start === 0));
    const node = owner ? byAddress.get(owner.address) : undefined;
    if (node) {
      return node.group;
    }
  }
  return undefined;
}

/**
 * Starts a group's stopped containers with a wiped cluster state and waits until they answer,
 * each as a new node that knows no cluster. A node that kept keys on disk (a replica saves the
 * RDB it syncs from) loads them at start and, knowing no cluster, claims the slots of those keys;
 * left so, it would later win those slots from their real owner with an empty dataset. Such a
 * node is emptied and reset before it meets anyone, while no other node knows its new id. On a
 * target with credentials, each node is given them for its replication link (`masterauth`).
 */
export async function restartFresh(context: StepContext, nodes: readonly TargetNode[]): Promise<void> {
  // All at once: one after another, a group of many shards took a Docker round trip per node.
  await Promise.all(
    nodes.map(async (node) => {
      if (!(await context.nodes.inspect(node)).running) {
        await context.nodes.start(node, { wipeClusterState: true });
      }
    }),
  );
  await context.admin.waitAnswering(nodes);
  // A node started afresh has no masterauth of its own unless its config file gives one.
  await context.admin.shareReplicationAuth(nodes);
  await Promise.all(
    nodes.map(async (node) => {
      const entries = await context.admin.entries(node);
      const self = entries.find((entry) => entry.myself);
      const isolated = entries.length === 1;
      if (isolated && ((self?.slots.length ?? 0) > 0 || (await context.admin.keyCount(node)) > 0)) {
        await context.admin.flushAll(node);
        await context.admin.resetHard(node);
      }
    }),
  );
}

/**
 * Puts the standby group where the scenario needs it, when it is not running (an earlier drill
 * killed it) or, for a separate cluster, when its nodes are still empty:
 * - `attached`: fresh nodes, the standbys replicating the serving masters, the spares empty;
 * - `prewired`: the same, with each spare first attached under its standby while that standby is
 *   still an empty master (the only order Redis accepts);
 * - `separate`: the group formed into a cluster of its own.
 * A running group in any other state is left alone: the readiness check says what is wrong with
 * it. The intent is recorded before anything is touched, so that a `prepare` resumed after a
 * crash finishes the job.
 */
export async function positionStandbyGroup(context: StepContext, layout: FailoverLayout, standby: StandbyLayout): Promise<DrillEvent[]> {
  const { admin } = context;
  const group = [...layout.standbys, ...layout.spares];
  const names = group.map((node) => node.name);
  const started = context.clock.now();
  if (context.state.standbyRestore !== layout.to) {
    const states = await Promise.all(group.map((node) => context.nodes.inspect(node)));
    const stopped = states.every((state) => state.exists && !state.running);
    if (!stopped && !(standby === 'separate' && (await allEmpty(admin, group)))) {
      return [];
    }
    await servingGroupHealthy(context, layout);
    await context.record({ type: 'StandbyRestoreStarted', data: { group: layout.to, nodes: names } });
  }
  await restartFresh(context, group);
  await context.checkpoint('prepare:standbys-restarted');
  if (standby === 'separate') {
    if (await allEmpty(admin, group)) {
      await formStandbyGroup(admin, layout, standby);
    }
    return [{ type: 'StandbyClusterFormed', data: { group: layout.to, nodes: names, tookMs: elapsedSince(context.clock, started) } }];
  }
  await formStandbyGroup(admin, layout, standby);
  return [{ type: 'StandbyGroupRestored', data: { group: layout.to, nodes: names, tookMs: elapsedSince(context.clock, started) } }];
}

/**
 * Refuses the drill, with the standby group left as it is, unless the group that serves is
 * healthy: a drill touches nothing on a target it would refuse anyway. It gets the readiness
 * check's few seconds to settle.
 */
async function servingGroupHealthy(context: StepContext, layout: FailoverLayout): Promise<void> {
  const serving = [...layout.servingMasters, ...layout.servingReplicas];
  await untilReady(
    context,
    `serving group ${layout.from} to be healthy`,
    async () => ({
      problems: servingGroupProblems(layout, await context.admin.snapshots(serving), context.settings.maxReplicaLagBytes),
      value: undefined,
    }),
    `; the stopped group ${layout.to} was left as it is`,
  );
}

async function allEmpty(admin: ClusterAdmin, nodes: readonly TargetNode[]): Promise<boolean> {
  for (const node of nodes) {
    try {
      await admin.assertEmpty(node);
    } catch {
      return false;
    }
  }
  return true;
}
