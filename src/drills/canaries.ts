import { keysAcrossSlots } from '../cluster/slot-keys.js';

export const CANARY_PREFIX = 'redis-drill:canary:';

/**
 * The canary keys of a drill: the same key names every time (so that drills do not pile keys
 * up), with values naming the drill, so that a key left by an earlier drill does not count.
 */
export function canaries(drillId: string, count: number): { key: string; value: string }[] {
  return keysAcrossSlots(CANARY_PREFIX, count).map(({ key, slot }) => ({ key, value: `${drillId}:${slot}` }));
}
