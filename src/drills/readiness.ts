import { healthProblems } from '../cluster/health-gate.js';
import { formatAddress } from '../cluster/node-address.js';
import { describeNode, selfEntry, type NodeSnapshot, type ReachableSnapshot } from '../cluster/node-snapshot.js';
import type { FailoverLayout, TargetNode } from '../targets/drill-target.js';
import type { StandbyLayout } from '../cluster/standby-group.js';
import type { ContainerState } from '../nodes/node-control.js';
import { membershipProblems } from './membership.js';

/** The exact refusal Redis gives when a replica is asked to replicate another replica. */
export const REPLICA_OF_REPLICA_REFUSAL = 'ERR I can only replicate a master, not a replica.';

/**
 * Why the target is not ready for a failover drill, or nothing when it is. The cluster must have
 * exactly the members the target lists for it (see `membershipProblems`); the serving group
 * must be healthy; the standby group must stand as the scenario needs it:
 * - `attached`: each serving master has a standby replicating it, the spares are empty nodes;
 * - `prewired`: the same, with each spare replicating a standby (a chain Redis accepts only when
 *   the spare was attached while the standby was still an empty master);
 * - `separate`: the standby group is a healthy cluster of its own that shares nothing with the
 *   serving one.
 */
export function readinessProblems(
  layout: FailoverLayout,
  snapshots: readonly NodeSnapshot[],
  maxReplicaLagBytes: number,
  standby: StandbyLayout = 'attached',
): string[] {
  const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
  const take = (nodes: readonly { name: string }[]) => nodes.map((node) => byName.get(node.name)).filter((s): s is NodeSnapshot => !!s);
  const serving = take([...layout.servingMasters, ...layout.servingReplicas]);
  const standbys = take(layout.standbys);
  const spares = take(layout.spares);
  const masters = layout.servingMasters.length;
  const { replicasPerMaster } = layout;
  const servingNodes = [...layout.servingMasters, ...layout.servingReplicas];
  const listed = [...servingNodes, ...layout.standbys, ...layout.spares];
  if (standby === 'separate') {
    return [
      ...healthProblems(serving, { masters, replicasPerMaster, maxReplicaLagBytes }),
      ...healthProblems([...standbys, ...spares], { masters, replicasPerMaster, maxReplicaLagBytes }).map(
        (problem) => `standby cluster: ${problem}`,
      ),
      ...sharedMembership(serving, [...standbys, ...spares]),
      ...membershipProblems(`the cluster of group ${layout.from}`, servingNodes, listed, snapshots),
      ...membershipProblems(`the standby cluster of group ${layout.to}`, [...layout.standbys, ...layout.spares], listed, snapshots),
    ];
  }
  const problems = [
    ...healthProblems([...serving, ...standbys], { masters, replicasPerMaster: replicasPerMaster + 1, maxReplicaLagBytes }),
    ...replicaCoverage(
      take(layout.servingMasters),
      standbys,
      1,
      'standby',
      `does not replicate a master of group ${layout.from}`,
      'attach the standbys first',
    ),
  ];
  if (standby === 'prewired') {
    problems.push(
      ...replicaCoverage(
        standbys,
        spares,
        replicasPerMaster,
        'spare',
        'does not replicate a standby',
        `this scenario needs each spare wired under a standby before the standbys attach to group ${layout.from} ` +
          `(npm run lab -- reset --layout prewired); Redis refuses the other order: "${REPLICA_OF_REPLICA_REFUSAL}"`,
      ),
    );
  } else {
    for (const snapshot of spares) {
      if (!snapshot.reachable) {
        problems.push(`spare ${describeNode(snapshot.node)} is unreachable: ${snapshot.error}`);
      } else if (snapshot.entries.length !== 1 || selfEntry(snapshot).slots.length > 0) {
        problems.push(`spare ${describeNode(snapshot.node)} is not an empty node: it knows ${snapshot.entries.length} node(s)`);
      }
    }
  }
  problems.push(
    ...membershipProblems(
      'the cluster',
      [...servingNodes, ...layout.standbys, ...(standby === 'prewired' ? layout.spares : [])],
      listed,
      snapshots,
    ),
  );
  return problems;
}

/** The target's containers that are not running, each named with its node. */
export function containerProblems(containers: readonly { readonly node: TargetNode; readonly state: ContainerState }[]): string[] {
  return containers
    .filter(({ state }) => !state.running)
    .map(({ node, state }) => `container ${node.containerName} of ${node.name} is ${state.exists ? 'not running' : 'missing'}`);
}

/** Why the serving group alone is not healthy (each master with its synced replicas), or nothing. */
export function servingGroupProblems(layout: FailoverLayout, snapshots: readonly NodeSnapshot[], maxReplicaLagBytes: number): string[] {
  const serving = new Set([...layout.servingMasters, ...layout.servingReplicas].map((node) => node.name));
  return healthProblems(
    snapshots.filter((snapshot) => serving.has(snapshot.node.name)),
    { masters: layout.servingMasters.length, replicasPerMaster: layout.replicasPerMaster, maxReplicaLagBytes },
  ).map((problem) => `serving group ${layout.from}: ${problem}`);
}

/** Each replica must replicate one of the masters, and no more than `perMaster` the same one. */
function replicaCoverage(
  masters: readonly NodeSnapshot[],
  replicas: readonly NodeSnapshot[],
  perMaster: number,
  kind: string,
  failure: string,
  remedy: string,
): string[] {
  const problems: string[] = [];
  const masterNames = new Map(
    masters
      .filter((snapshot): snapshot is ReachableSnapshot => snapshot.reachable)
      .map((snapshot) => [selfEntry(snapshot).id, snapshot.node.name]),
  );
  const covered = new Map<string, number>();
  for (const snapshot of replicas) {
    if (!snapshot.reachable) {
      problems.push(`${kind} ${describeNode(snapshot.node)} is unreachable: ${snapshot.error}`);
      continue;
    }
    const self = selfEntry(snapshot);
    const master = self.masterId ? masterNames.get(self.masterId) : undefined;
    if (self.role !== 'replica' || !master) {
      problems.push(
        `${kind} ${describeNode(snapshot.node)} ${failure}: it is a ${self.role}` +
          (self.masterId ? ` of ${self.masterId}` : ` serving ${self.slots.length === 0 ? 'no' : 'some'} slots`) +
          `; ${remedy}`,
      );
    } else if ((covered.get(master) ?? 0) >= perMaster) {
      problems.push(
        `${kind} ${describeNode(snapshot.node)} replicates ${master}, which ${perMaster === 1 ? `another ${kind}` : `${perMaster} other ${kind}s`} already replicate${perMaster === 1 ? 's' : ''}`,
      );
    } else if (!snapshot.replication.masterLinkUp) {
      problems.push(`${kind} ${describeNode(snapshot.node)} has its link to ${master} down`);
    } else {
      covered.set(master, (covered.get(master) ?? 0) + 1);
    }
  }
  return problems;
}

/** Two clusters that must not know of each other. */
function sharedMembership(one: readonly NodeSnapshot[], other: readonly NodeSnapshot[]): string[] {
  const otherAddresses = new Set(other.map((snapshot) => formatAddress(snapshot.node)));
  return one
    .filter((snapshot): snapshot is ReachableSnapshot => snapshot.reachable)
    .flatMap((snapshot) =>
      snapshot.entries
        .filter((entry) => otherAddresses.has(entry.address))
        .map((entry) => `${describeNode(snapshot.node)} knows ${entry.address}: the standby group must be a cluster of its own`),
    );
}
