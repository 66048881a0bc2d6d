import calculateSlot from 'cluster-key-slot';
import { SLOT_COUNT } from './cluster-nodes.parser.js';

export { calculateSlot };

let tagsBySlot: readonly string[] | undefined;

/**
 * A hash tag for every slot: `{tag}` in a key sends it to that slot. Found by counting in base 36
 * until every slot has one (about 170,000 tries, a few tens of milliseconds, once per process).
 */
export function hashTagsBySlot(): readonly string[] {
  if (tagsBySlot) {
    return tagsBySlot;
  }
  const tags: (string | undefined)[] = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
  let missing = SLOT_COUNT;
  for (let counter = 0; missing > 0; counter++) {
    const tag = counter.toString(36);
    const slot = calculateSlot(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      missing--;
    }
  }
  tagsBySlot = tags as string[];
  return tagsBySlot;
}

/** One key per slot, spread evenly when fewer than all slots are asked for. */
export function keysAcrossSlots(prefix: string, count: number): { key: string; slot: number }[] {
  if (!Number.isInteger(count) || count < 1 || count > SLOT_COUNT) {
    throw new RangeError(`key count must be an integer from 1 to ${SLOT_COUNT}, got ${count}`);
  }
  const tags = hashTagsBySlot();
  return Array.from({ length: count }, (_, index) => {
    const slot = Math.floor((index * SLOT_COUNT) / count);
    return { key: `${prefix}{${tags[slot]}}`, slot };
  });
}
