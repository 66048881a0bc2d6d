import { formatSlots } from '../cluster/cluster-nodes.parser.js';
import { selfEntry, type NodeSnapshot } from '../cluster/node-snapshot.js';
import type { RecordedNode } from './drill-events.js';

/**
 * How the live cluster differs from the topology `prepare` recorded, by node name: each node in
 * the same role, replicating the same node, serving the same slots, and a node that was an empty
 * spare empty again. Node ids are not compared: a node that was wiped comes back with a new one.
 */
export function topologyDifferences(recorded: readonly RecordedNode[], snapshots: readonly NodeSnapshot[]): string[] {
  const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
  const nameById = new Map<string, string>();
  for (const snapshot of snapshots) {
    if (snapshot.reachable) {
      nameById.set(selfEntry(snapshot).id, snapshot.node.name);
    }
  }
  const differences: string[] = [];
  for (const node of recorded) {
    const snapshot = byName.get(node.name);
    if (!snapshot?.reachable) {
      differences.push(`${node.name} does not answer`);
      continue;
    }
    const self = selfEntry(snapshot);
    const replicates = self.masterId ? (nameById.get(self.masterId) ?? self.masterId) : undefined;
    const slots = self.slots.length > 0 ? formatSlots(self.slots) : undefined;
    const was = describe(node.role, node.replicates, node.slots);
    const is = describe(self.role, replicates, slots);
    if (was !== is) {
      differences.push(`${node.name} was ${was}, is ${is}`);
    } else if (node.role === 'master' && !node.slots && snapshot.entries.length !== 1) {
      differences.push(`${node.name} was an empty node, now knows ${snapshot.entries.length} node(s)`);
    }
  }
  return differences;
}

function describe(role: string, replicates: string | undefined, slots: string | undefined): string {
  if (role === 'replica') {
    return `a replica of ${replicates ?? 'nothing'}`;
  }
  return slots ? `a master of slots ${slots}` : `a ${role} with no slots`;
}
