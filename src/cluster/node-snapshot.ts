import type { ClusterNodeEntry } from './cluster-nodes.parser.js';
import type { NodeAddress } from './node-address.js';
import type { ReplicationInfo } from './redis-info.parser.js';

/** A target node as drills name it: `b1` at 127.0.0.1:7011. */
export interface NamedNode extends NodeAddress {
  readonly name: string;
}

export const describeNode = (node: NamedNode): string => `${node.name} (${node.host}:${node.port})`;

/** Everything one look at a node tells about the cluster, or why the look failed. */
export type NodeSnapshot =
  | {
      readonly node: NamedNode;
      readonly reachable: true;
      readonly clusterInfo: ReadonlyMap<string, string>;
      readonly entries: readonly ClusterNodeEntry[];
      readonly replication: ReplicationInfo;
    }
  | { readonly node: NamedNode; readonly reachable: false; readonly error: string };

export type ReachableSnapshot = Extract<NodeSnapshot, { reachable: true }>;

export function selfEntry(snapshot: ReachableSnapshot): ClusterNodeEntry {
  const self = snapshot.entries.find((entry) => entry.myself);
  if (!self) {
    throw new Error(`${describeNode(snapshot.node)} lists no node flagged myself`);
  }
  return self;
}
