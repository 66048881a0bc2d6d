import { formatAddress } from '../cluster/node-address.js';
import { selfEntry, type NodeSnapshot, type ReachableSnapshot } from '../cluster/node-snapshot.js';
import type { ContainerState } from '../nodes/node-control.js';
import { failoverLayout, targetNodes, type DrillTarget, type GroupName, type TargetNode } from '../targets/drill-target.js';
import { containerProblems, readinessProblems } from './readiness.js';
import { servingGroup } from './steps/group-restore.js';

/** What a repair looks at: every node of the target, in the cluster and in the container engine. */
export interface RepairObservation {
  readonly snapshots: readonly NodeSnapshot[];
  readonly containers: readonly { readonly node: TargetNode; readonly state: ContainerState }[];
  readonly maxReplicaLagBytes: number;
}

/** What a repair learns from the audit log. */
export interface RepairLogFacts {
  /** The drill whose failback started and never finished, when that is the target's last drill. */
  readonly halfDoneFailback?: string;
}

/** One thing a repair does, with the code that does it named in `kind`. */
export type RepairAction =
  | { readonly kind: 'finish-failback'; readonly description: string; readonly nodes: string[]; readonly drillId: string }
  | {
      readonly kind: 'forget';
      readonly description: string;
      /** The live nodes that are told to forget. */
      readonly nodes: string[];
      readonly forgotten: readonly { readonly name: string; readonly nodeId: string }[];
    }
  | { readonly kind: 'restart-fresh'; readonly description: string; readonly nodes: string[] }
  | { readonly kind: 'meet'; readonly description: string; readonly nodes: string[]; readonly members: string[] }
  | { readonly kind: 'replicate'; readonly description: string; readonly nodes: string[]; readonly masters: string[] }
  | { readonly kind: 'restore-standby-group'; readonly description: string; readonly nodes: string[]; readonly group: GroupName };

export interface RepairPlan {
  readonly target: string;
  /** True when the readiness check finds nothing wrong: there is nothing to repair. */
  readonly ready: boolean;
  /** What is wrong, in the readiness check's words. */
  readonly findings: string[];
  /** The group whose masters serve the slots, when one does. */
  readonly serving?: GroupName;
  /** What the repair does, in order. */
  readonly actions: RepairAction[];
  /** Why the repair cannot fix what it found; then `actions` is empty. */
  readonly blocked?: string;
}

/**
 * What it takes to bring the target back to the layout a failover drill starts from (the
 * readiness check's `attached` layout), from one look at it and the log. A failback the log says
 * stopped half-way is finished by the failback step itself, with its drill's record. Otherwise
 * the group whose masters serve the slots stays serving, and what a failover left undone is
 * done, in the failover's order:
 * 1. forget the ids the serving nodes list at a target address where no node with that id lives
 *    (a stopped container, or a node that came back with a new id);
 * 2. start the serving group's stopped replicas as fresh nodes;
 * 3. introduce each serving replica that does not know every serving master;
 * 4. make each serving replica replicate its shard's master (the n-th replica, master n mod shards);
 * 5. bring back the other group when each of its nodes is stopped or empty: started fresh, the
 *    standbys replicating the serving masters, the spares empty.
 * A serving master that does not answer, or a standby group half attached, is named and left:
 * neither is a failover left half done.
 */
export function planRepair(target: DrillTarget, observation: RepairObservation, facts: RepairLogFacts): RepairPlan {
  const { snapshots, containers, maxReplicaLagBytes } = observation;
  const serving = servingGroup(target, snapshots);
  const problemsOfContainers = containerProblems(containers);
  const base = { target: target.name, ...(serving ? { serving } : {}) };
  if (!serving) {
    const findings = [...problemsOfContainers, 'no node that answers lists a master serving slot 0'];
    return { ...base, ready: false, findings, actions: [], blocked: 'no group serves the slots: there is no failover to finish' };
  }
  const layout = failoverLayout(target, serving);
  const findings = [...problemsOfContainers, ...readinessProblems(layout, snapshots, maxReplicaLagBytes, 'attached')];
  if (findings.length === 0) {
    return { ...base, ready: true, findings, actions: [] };
  }
  const plan = (actions: RepairAction[], blocked?: string): RepairPlan =>
    blocked || actions.length === 0
      ? { ...base, ready: false, findings, actions: [], blocked: blocked ?? 'no repair action applies to what was found' }
      : { ...base, ready: false, findings, actions };

  if (facts.halfDoneFailback) {
    const nodes = targetNodes(target).map((node) => node.name);
    const description = `finish the failback of drill ${facts.halfDoneFailback}, which stopped half-way`;
    return plan([{ kind: 'finish-failback', description, nodes, drillId: facts.halfDoneFailback }]);
  }

  const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
  const running = new Map(containers.map(({ node, state }) => [node.name, state.running]));
  const reachable = (node: TargetNode): ReachableSnapshot | undefined => {
    const snapshot = byName.get(node.name);
    return snapshot?.reachable ? snapshot : undefined;
  };
  const silentMasters = layout.servingMasters.filter((master) => {
    const snapshot = reachable(master);
    return !snapshot || selfEntry(snapshot).slots.length === 0;
  });
  if (silentMasters.length > 0) {
    return plan(
      [],
      `master ${silentMasters.map((node) => node.name).join(', ')} of the serving group ${serving} serves no slots or does not answer`,
    );
  }
  const masterIds = layout.servingMasters.map((master) => selfEntry(reachable(master)!).id);
  const actions: RepairAction[] = [];

  // 1. Ids at target addresses that no live node carries.
  const liveIdAt = new Map<string, string>();
  for (const node of targetNodes(target)) {
    const snapshot = reachable(node);
    if (snapshot && running.get(node.name) !== false) {
      liveIdAt.set(formatAddress(node), selfEntry(snapshot).id);
    }
  }
  const nameAt = new Map(targetNodes(target).map((node) => [formatAddress(node), node.name]));
  const servingNodes = [...layout.servingMasters, ...layout.servingReplicas];
  const listing = servingNodes.filter((node) => reachable(node) && running.get(node.name) !== false);
  const forgotten = new Map<string, string>();
  for (const node of listing) {
    for (const entry of reachable(node)!.entries) {
      const name = nameAt.get(entry.address);
      if (!entry.myself && name && !entry.flags.includes('handshake') && liveIdAt.get(entry.address) !== entry.id) {
        forgotten.set(entry.id, name);
      }
    }
  }
  if (forgotten.size > 0) {
    const dead = [...forgotten].map(([nodeId, name]) => ({ name, nodeId }));
    actions.push({
      kind: 'forget',
      description: `forget ${dead.map((entry) => entry.name).join(', ')} (ids no live node carries) on ${listing.map((node) => node.name).join(', ')}`,
      nodes: listing.map((node) => node.name),
      forgotten: dead,
    });
  }

  // 2. and 3. Serving replicas that are stopped, or that do not know the serving masters.
  const stoppedReplicas = layout.servingReplicas.filter((node) => running.get(node.name) === false);
  if (stoppedReplicas.length > 0) {
    actions.push({
      kind: 'restart-fresh',
      description: `start ${stoppedReplicas.map((node) => node.name).join(', ')} again as empty nodes`,
      nodes: stoppedReplicas.map((node) => node.name),
    });
  }
  const strangers = layout.servingReplicas.filter((node) => {
    const snapshot = reachable(node);
    if (stoppedReplicas.includes(node) || !snapshot) {
      return true;
    }
    return masterIds.some((id) => !snapshot.entries.some((entry) => entry.id === id && !entry.flags.includes('handshake')));
  });
  if (strangers.length > 0) {
    const members = layout.servingMasters.map((node) => node.name);
    actions.push({
      kind: 'meet',
      description: `introduce ${strangers.map((node) => node.name).join(', ')} to ${members.join(', ')}`,
      nodes: strangers.map((node) => node.name),
      members,
    });
  }

  // 4. Each serving replica under its shard's master, its link up. Replicas are listed every
  // shard's first, then every shard's second, so the n-th belongs to shard n modulo the shards.
  const shards = layout.servingMasters.length;
  const unattached = layout.servingReplicas
    .map((node, index) => ({ node, master: layout.servingMasters[index % shards]!, masterId: masterIds[index % shards]! }))
    .filter(({ node, masterId }) => {
      const snapshot = reachable(node);
      return !snapshot || selfEntry(snapshot).masterId !== masterId || !snapshot.replication.masterLinkUp;
    });
  if (unattached.length > 0) {
    actions.push({
      kind: 'replicate',
      description: unattached.map(({ node, master }) => `make ${node.name} a replica of ${master.name}`).join('; '),
      nodes: unattached.map(({ node }) => node.name),
      masters: unattached.map(({ master }) => master.name),
    });
  }

  // 5. The other group, when there is nothing of it to keep.
  const standbyGroup = [...layout.standbys, ...layout.spares];
  const standbyFindings = findings.some((finding) =>
    standbyGroup.some((node) => finding.startsWith(`standby ${node.name} `) || finding.startsWith(`spare ${node.name} `)),
  );
  const standbyContainersDown = standbyGroup.some((node) => running.get(node.name) === false);
  if (standbyFindings || standbyContainersDown) {
    const nothingToKeep = standbyGroup.every((node) => {
      const snapshot = reachable(node);
      return running.get(node.name) === false || !snapshot || snapshot.entries.length === 1;
    });
    if (!nothingToKeep) {
      return plan(
        [],
        `group ${layout.to} is partly attached: repair restores a standby group only when each of its nodes is stopped or empty`,
      );
    }
    actions.push({
      kind: 'restore-standby-group',
      description: `start group ${layout.to} as fresh nodes, ${layout.standbys.map((node) => node.name).join(', ')} replicating ${layout.servingMasters
        .map((node) => node.name)
        .join(', ')}, ${layout.spares.map((node) => node.name).join(', ')} empty`,
      nodes: standbyGroup.map((node) => node.name),
      group: layout.to,
    });
  }
  return plan(actions);
}

/** A drill of the target as the history lists it, with its steps' statuses. */
export interface LoggedDrill {
  readonly id: string;
  readonly scenario: string;
  readonly status: string;
  readonly steps: readonly { readonly name: string; readonly status: string }[];
}

/**
 * What the log says a repair must finish, from the target's drills, newest first: the failback of
 * the last drill, when it started and did not succeed, and no repair has succeeded since.
 */
export function repairLogFacts(newestFirst: readonly LoggedDrill[]): RepairLogFacts {
  for (const drill of newestFirst) {
    if (drill.scenario === 'repair') {
      if (drill.status === 'succeeded') {
        return {};
      }
      continue;
    }
    const failback = drill.steps.find((step) => step.name === 'failback');
    const halfDone = drill.status !== 'succeeded' && (failback?.status === 'running' || failback?.status === 'failed');
    return halfDone ? { halfDoneFailback: drill.id } : {};
  }
  return {};
}
