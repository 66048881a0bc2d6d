/** A node's `cluster_current_epoch`, as `CLUSTER INFO` reports it. */
export interface NodeEpoch {
  readonly name: string;
  readonly currentEpoch: number;
}

/**
 * Which of the nodes about to take over have not yet heard of the highest epoch a peer reports,
 * each described with both figures. `CLUSTER FAILOVER TAKEOVER` gives the node its own current
 * epoch plus one, with no vote, and every config epoch a node knows is at most its own current
 * epoch: a taker at the highest current epoch claims its slots with an epoch above any other
 * node's view of their old owner, so that every node gives it the slots.
 */
export function epochLaggards(takers: readonly NodeEpoch[], everyone: readonly NodeEpoch[]): string[] {
  const highest = Math.max(...everyone.map((node) => node.currentEpoch));
  return takers
    .filter((node) => !(node.currentEpoch >= highest))
    .map((node) => `${node.name} is at epoch ${node.currentEpoch}, a peer at ${highest}`);
}
