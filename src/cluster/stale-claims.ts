import type { ClusterNodeEntry, SlotRange } from './cluster-nodes.parser.js';

/** A standby promoted by `CLUSTER FAILOVER TAKEOVER`, and the master whose slots it claimed. */
export interface Taker {
  readonly name: string;
  readonly id: string;
  readonly replacedId: string;
}

/** Slots that one node's view still gives to a replaced master, though its taker claims them. */
export interface StaleClaim {
  readonly taker: string;
  readonly takerId: string;
  /** The taker's config epoch in this view; undefined when the view does not list it as a master. */
  readonly takerEpoch: number | undefined;
  readonly staleOwnerId: string;
  readonly staleOwnerEpoch: number;
  readonly slots: readonly SlotRange[];
}

/**
 * Which takeovers a node's view has not taken in: after a takeover the replaced master holds no
 * slot anywhere, so every range a view still gives it is a claim that view did not accept. Redis
 * accepts a claim only with a config epoch above the one it has for the slots' owner, and only
 * once the taker's announcement reached it; the epochs here tell the two apart.
 */
export function staleClaims(entries: readonly ClusterNodeEntry[], takers: readonly Taker[]): StaleClaim[] {
  return takers.flatMap((taker) => {
    const staleOwner = entries.find((entry) => entry.id === taker.replacedId);
    if (!staleOwner || staleOwner.slots.length === 0) {
      return [];
    }
    const seen = entries.find((entry) => entry.id === taker.id);
    return [
      {
        taker: taker.name,
        takerId: taker.id,
        takerEpoch: seen?.role === 'master' ? seen.configEpoch : undefined,
        staleOwnerId: staleOwner.id,
        staleOwnerEpoch: staleOwner.configEpoch,
        slots: staleOwner.slots,
      },
    ];
  });
}
