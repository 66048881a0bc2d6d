import { describeNode, type NamedNode, type NodeSnapshot, type ReachableSnapshot } from '../cluster/node-snapshot.js';

/** `localhost` and 127.0.0.1 are one address to a node announcing itself on loopback. */
const addressKey = (host: string, port: number): string => `${host === 'localhost' ? '127.0.0.1' : host}:${port}`;

/**
 * Why the cluster that `members` should form is not exactly those nodes, or nothing: each member
 * they know that the target (`listed`: all its nodes) does not list, and each of `members` none of
 * them knows, by name and address. A drill acts only on what its target lists, so a cluster with
 * more or fewer members than that would be failed over with nodes the drill cannot see or reach.
 */
export function membershipProblems(
  cluster: string,
  members: readonly NamedNode[],
  targetNodes: readonly NamedNode[],
  snapshots: readonly NodeSnapshot[],
): string[] {
  const expected = new Map(members.map((node) => [addressKey(node.host, node.port), node]));
  const listed = new Set(targetNodes.map((node) => addressKey(node.host, node.port)));
  const views = snapshots.filter(
    (snapshot): snapshot is ReachableSnapshot => snapshot.reachable && expected.has(addressKey(snapshot.node.host, snapshot.node.port)),
  );
  if (views.length === 0) {
    return [];
  }
  const known = new Map<string, { id: string; seenBy: string }>();
  for (const view of views) {
    for (const entry of view.entries) {
      // A member still in handshake or without an address is not yet, or no longer, one to list.
      if (entry.address === '' || entry.flags.includes('handshake') || entry.flags.includes('noaddr')) {
        continue;
      }
      const key = addressKey(entry.host, entry.port);
      if (!known.has(key)) {
        known.set(key, { id: entry.id, seenBy: view.node.name });
      }
    }
  }
  const unlisted = [...known.entries()]
    .filter(([key]) => !listed.has(key))
    .map(([key, { id, seenBy }]) => `${cluster} has a member the target does not list: ${id.slice(0, 8)} at ${key} (known to ${seenBy})`);
  const missing = [...expected.entries()]
    .filter(([key]) => !known.has(key))
    .map(([, node]) => `the target lists ${describeNode(node)} in ${cluster}, which the cluster does not have`);
  return [...unlisted, ...missing];
}
