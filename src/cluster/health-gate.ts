import { formatSlots, isUnhealthyEntry, SLOT_COUNT, slotCount, type ClusterNodeEntry } from './cluster-nodes.parser.js';
import { describeNode, selfEntry, type NodeSnapshot, type ReachableSnapshot } from './node-snapshot.js';

export interface HealthExpectations {
  /** Masters that must serve slots; unset accepts any number. */
  readonly masters?: number;
  /** Synced replicas each serving master must have. */
  readonly replicasPerMaster: number;
  /** Replication bytes a replica may trail its master by and still count as synced. */
  readonly maxReplicaLagBytes: number;
}

/**
 * The health gate: every problem that keeps these nodes from being a healthy, redundant cluster.
 * An empty list means green. Pure, so that every rule is tested without Redis.
 */
export function healthProblems(snapshots: readonly NodeSnapshot[], expect: HealthExpectations): string[] {
  const problems: string[] = [];
  const reachable: ReachableSnapshot[] = [];
  for (const snapshot of snapshots) {
    if (snapshot.reachable) {
      reachable.push(snapshot);
    } else {
      problems.push(`${describeNode(snapshot.node)} is unreachable: ${snapshot.error}`);
    }
  }
  if (reachable.length === 0) {
    return problems;
  }
  for (const snapshot of reachable) {
    const who = describeNode(snapshot.node);
    const state = snapshot.clusterInfo.get('cluster_state');
    if (state !== 'ok') {
      problems.push(`${who} reports cluster_state:${state ?? 'missing'}`);
    }
    const slotsOk = Number(snapshot.clusterInfo.get('cluster_slots_ok'));
    if (slotsOk !== SLOT_COUNT) {
      problems.push(`${who} reports cluster_slots_ok:${slotsOk}, expected ${SLOT_COUNT}`);
    }
    for (const entry of snapshot.entries) {
      if (isUnhealthyEntry(entry)) {
        problems.push(`${who} sees node ${entry.id} (${entry.address || 'no address'}) as ${entry.flags.join(',')}`);
      }
    }
  }
  problems.push(...slotOwnerDisagreements(reachable));
  problems.push(...roleDisagreements(reachable));
  problems.push(...redundancyProblems(reachable, expect));
  return problems;
}

/** Each view of the slot map as one comparable string: `start-end:ownerId` per range. */
export function slotOwnerSignature(entries: readonly ClusterNodeEntry[]): string {
  return entries
    .filter((entry) => entry.role === 'master')
    .flatMap((entry) => entry.slots.map((range) => ({ ...range, owner: entry.id })))
    .sort((left, right) => left.start - right.start)
    .map((range) => `${range.start}-${range.end}:${range.owner}`)
    .join(' ');
}

/**
 * Who holds the slots a node cannot serve, in that node's view: each master it sees as failing
 * (or possibly failing) with its slots and config epoch, beside each master it sees as healthy
 * with its epoch. A takeover that other nodes do not accept shows here as slots left with a
 * dead owner whose epoch is not below the new master's.
 */
export function unservedSlots(entries: readonly ClusterNodeEntry[]): string {
  const masters = entries.filter((entry) => entry.role === 'master' && entry.slots.length > 0);
  const failing = masters.filter(isUnhealthyEntry);
  if (failing.length === 0) {
    return '';
  }
  const describe = (entry: ClusterNodeEntry) =>
    `${entry.id.slice(0, 8)} (${entry.address || 'no address'}, ${entry.flags.join(',')}, epoch ${entry.configEpoch}) ${formatSlots(entry.slots)}`;
  const healthy = masters.filter((entry) => !isUnhealthyEntry(entry));
  return `slots with failing masters: ${failing.map(describe).join('; ')}; healthy masters: ${healthy.map(describe).join('; ') || 'none'}`;
}

function slotOwnerDisagreements(reachable: readonly ReachableSnapshot[]): string[] {
  const [reference, ...others] = reachable;
  if (!reference) {
    return [];
  }
  const expected = slotOwnerSignature(reference.entries);
  return others
    .filter((snapshot) => slotOwnerSignature(snapshot.entries) !== expected)
    .map((snapshot) => `${describeNode(snapshot.node)} disagrees with ${describeNode(reference.node)} on slot owners`);
}

/**
 * Each node's role as the others see it must match what the node says of itself: right after
 * `CLUSTER REPLICATE` the masters still list the new replica as a master until gossip reaches them.
 */
export function roleDisagreements(reachable: readonly ReachableSnapshot[]): string[] {
  const problems: string[] = [];
  const selves = reachable.map((snapshot) => ({ snapshot, self: selfEntry(snapshot) }));
  const names = new Map(selves.map(({ snapshot, self }) => [self.id, snapshot.node.name]));
  const roleOf = (role: string, masterId: string | undefined) =>
    role === 'replica' ? `a replica of ${masterId ? (names.get(masterId) ?? masterId) : 'nothing'}` : `a ${role}`;
  for (const observer of reachable) {
    for (const { snapshot, self } of selves) {
      const seen = observer.entries.find((entry) => entry.id === self.id);
      if (snapshot === observer || !seen) {
        continue;
      }
      if (seen.role !== self.role || seen.masterId !== self.masterId) {
        problems.push(
          `${describeNode(observer.node)} sees ${snapshot.node.name} as ${roleOf(seen.role, seen.masterId)}, ` +
            `but it is ${roleOf(self.role, self.masterId)}`,
        );
      }
    }
  }
  return problems;
}

function redundancyProblems(reachable: readonly ReachableSnapshot[], expect: HealthExpectations): string[] {
  const problems: string[] = [];
  const bySelfId = new Map(reachable.map((snapshot) => [selfEntry(snapshot).id, snapshot]));
  const servingMasters = [...bySelfId.entries()].filter(([, snapshot]) => slotCount(selfEntry(snapshot)) > 0);
  if (expect.masters !== undefined && servingMasters.length !== expect.masters) {
    problems.push(`expected ${expect.masters} masters serving slots, found ${servingMasters.length}`);
  }
  for (const [masterId, master] of servingMasters) {
    const synced = reachable.filter((snapshot) => {
      const self = selfEntry(snapshot);
      const replication = snapshot.replication;
      return (
        self.role === 'replica' &&
        self.masterId === masterId &&
        replication.role === 'replica' &&
        replication.masterLinkUp &&
        !replication.syncInProgress &&
        replication.replicaOffset !== undefined &&
        master.replication.masterReplOffset - replication.replicaOffset <= expect.maxReplicaLagBytes
      );
    });
    if (synced.length < expect.replicasPerMaster) {
      problems.push(`master ${describeNode(master.node)} has ${synced.length} synced replica(s), expected ${expect.replicasPerMaster}`);
    }
  }
  return problems;
}
