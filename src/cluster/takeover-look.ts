import type { ClusterNodeEntry } from './cluster-nodes.parser.js';

/** A standby about to take over: the node recorded, and the master whose slots it is to claim. */
export interface TakeoverOrder {
  readonly name: string;
  readonly id: string;
  readonly masterId: string;
}

/**
 * What a standby shows of itself right before its takeover, from one `CLUSTER NODES` and one
 * `CLUSTER INFO` sent together: its own entry, and its current epoch.
 */
export interface TakeoverLook {
  /** The entry flagged `myself`; undefined when the node listed none. */
  readonly self: ClusterNodeEntry | undefined;
  readonly currentEpoch: number;
}

/**
 * Why this standby must not take over, or undefined when it may. A node that is no longer the
 * one recorded was reset since; a replica of another master would claim that master's slots
 * instead. An already promoted node passes: its takeover went out before.
 */
export function takeoverRefusal(order: TakeoverOrder, look: TakeoverLook): string | undefined {
  const { self } = look;
  if (!self) {
    return `${order.name} lists no node flagged myself`;
  }
  if (self.id !== order.id) {
    return `${order.name} is now node ${self.id}, not ${order.id} as recorded; a takeover would act on another node`;
  }
  if (self.role === 'replica' && self.masterId !== order.masterId) {
    return `${order.name} now replicates ${self.masterId}, not ${order.masterId}; a takeover would claim the wrong slots`;
  }
  return undefined;
}
