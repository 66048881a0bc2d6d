import { parseClusterNodes } from '../cluster-nodes.parser.js';
import type { NodeSnapshot } from '../node-snapshot.js';
import { parseInfo } from '../redis-info.parser.js';

/** A node of a made-up cluster, for building the snapshots that pure cluster logic reads. */
export interface ViewNode {
  readonly name: string;
  readonly port: number;
  /** Slots as [start, end] for a master, or the name of the master for a replica. */
  readonly slots?: readonly (readonly [number, number])[];
  readonly replicates?: string;
  /** Offset of the replication stream: the master's, or how far the replica got. */
  readonly offset?: number;
  readonly linkUp?: boolean;
}

export const idOf = (name: string): string =>
  name
    .padEnd(40, '0')
    .replace(/[^0-9a-f]/g, 'f')
    .slice(0, 40);

function nodesLine(node: ViewNode, viewer: string, extraFlags: Readonly<Record<string, string>>): string {
  const role = node.replicates ? 'slave' : 'master';
  const flags = [...(node.name === viewer ? ['myself'] : []), role, ...(extraFlags[node.name] ? [extraFlags[node.name]] : [])].join(',');
  const master = node.replicates ? idOf(node.replicates) : '-';
  const slots = (node.slots ?? []).map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`));
  return [idOf(node.name), `127.0.0.1:${node.port}@${node.port + 10000}`, flags, master, '0', '0', '1', 'connected', ...slots].join(' ');
}

/**
 * Every node's snapshot of the same cluster. `seenAs` adds a flag to a member in every view
 * (e.g. `{ b2: 'fail' }`); `info` overrides `CLUSTER INFO` fields per node.
 */
export function clusterViews(
  nodes: readonly ViewNode[],
  options: { seenAs?: Record<string, string>; info?: Record<string, Record<string, string>>; unreachable?: readonly string[] } = {},
): NodeSnapshot[] {
  return nodes.map((node): NodeSnapshot => {
    const named = { name: node.name, host: '127.0.0.1', port: node.port };
    if (options.unreachable?.includes(node.name)) {
      return { node: named, reachable: false, error: 'connect ECONNREFUSED' };
    }
    const entries = parseClusterNodes(nodes.map((member) => nodesLine(member, node.name, options.seenAs ?? {})).join('\n'));
    const clusterInfo = parseInfo(
      Object.entries({ cluster_state: 'ok', cluster_slots_ok: '16384', ...options.info?.[node.name] })
        .map(([key, value]) => `${key}:${value}`)
        .join('\n'),
    );
    const master = node.replicates ? nodes.find((member) => member.name === node.replicates) : undefined;
    return {
      node: named,
      reachable: true,
      entries,
      clusterInfo,
      replication: master
        ? {
            role: 'replica',
            masterReplOffset: node.offset ?? 0,
            masterLinkUp: node.linkUp ?? true,
            syncInProgress: false,
            replicaOffset: node.offset ?? master.offset ?? 0,
            masterAddress: `127.0.0.1:${master.port}`,
            replicas: [],
          }
        : {
            role: 'master',
            masterReplOffset: node.offset ?? 0,
            masterLinkUp: false,
            syncInProgress: false,
            replicaOffset: undefined,
            masterAddress: undefined,
            replicas: [],
          },
    };
  });
}

/** Three masters with the standard split and one replica each, all in sync. */
export const threeShards: readonly ViewNode[] = [
  { name: 'b1', port: 7011, slots: [[0, 5460]], offset: 1000 },
  { name: 'b2', port: 7012, slots: [[5461, 10922]], offset: 2000 },
  { name: 'b3', port: 7013, slots: [[10923, 16383]], offset: 3000 },
  { name: 'b4', port: 7014, replicates: 'b1' },
  { name: 'b5', port: 7015, replicates: 'b2' },
  { name: 'b6', port: 7016, replicates: 'b3' },
];
