import { healthProblems } from '../cluster/health-gate.js';
import { describeNode, selfEntry, type NodeSnapshot } from '../cluster/node-snapshot.js';
import type { FailoverLayout } from '../targets/drill-target.js';

/**
 * Why the target is not ready for a failover drill, or nothing when it is: the serving group is
 * healthy with a synced replica per master in its own group, every serving master also has a
 * standby replicating it, and the spares are empty nodes that know no cluster.
 */
export function readinessProblems(layout: FailoverLayout, snapshots: readonly NodeSnapshot[], maxReplicaLagBytes: number): string[] {
  const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
  const take = (names: readonly { name: string }[]) => names.map((node) => byName.get(node.name)).filter((s): s is NodeSnapshot => !!s);
  const serving = take([...layout.servingMasters, ...layout.servingReplicas]);
  const standbys = take(layout.standbys);
  const spares = take(layout.spares);
  const problems = healthProblems([...serving, ...standbys], {
    masters: layout.servingMasters.length,
    replicasPerMaster: 2,
    maxReplicaLagBytes,
  });

  const masterIds = new Map<string, string>();
  for (const snapshot of take(layout.servingMasters)) {
    if (snapshot.reachable) {
      masterIds.set(selfEntry(snapshot).id, snapshot.node.name);
    }
  }
  const covered = new Set<string>();
  for (const snapshot of standbys) {
    if (!snapshot.reachable) {
      continue;
    }
    const self = selfEntry(snapshot);
    const master = self.masterId ? masterIds.get(self.masterId) : undefined;
    if (self.role !== 'replica' || !master) {
      problems.push(
        `standby ${describeNode(snapshot.node)} does not replicate a master of group ${layout.from}: it is a ${self.role}` +
          (self.masterId ? ` of ${self.masterId}` : ` serving ${self.slots.length === 0 ? 'no' : 'some'} slots`) +
          `; attach the standbys first`,
      );
    } else if (covered.has(master)) {
      problems.push(`standby ${describeNode(snapshot.node)} replicates ${master}, which another standby already replicates`);
    } else {
      covered.add(master);
    }
  }
  for (const snapshot of spares) {
    if (!snapshot.reachable) {
      problems.push(`spare ${describeNode(snapshot.node)} is unreachable: ${snapshot.error}`);
    } else if (snapshot.entries.length !== 1 || selfEntry(snapshot).slots.length > 0) {
      problems.push(`spare ${describeNode(snapshot.node)} is not an empty node: it knows ${snapshot.entries.length} node(s)`);
    }
  }
  return problems;
}
