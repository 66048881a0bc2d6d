import { describe, expect, it } from 'vitest';
import { evenSlotRange } from './cluster-admin.js';
import { calculateSlot, hashTagsBySlot, keysAcrossSlots } from './slot-keys.js';

describe('hashTagsBySlot', () => {
  it('has a tag for every one of the 16384 slots that hashes to that slot', () => {
    const tags = hashTagsBySlot();
    expect(tags).toHaveLength(16384);
    tags.forEach((tag, slot) => expect(calculateSlot(tag)).toBe(slot));
  });
});

describe('keysAcrossSlots', () => {
  it('puts one key in every slot when all slots are asked for', () => {
    const keys = keysAcrossSlots('canary:', 16384);
    expect(new Set(keys.map(({ key }) => calculateSlot(key))).size).toBe(16384);
    keys.forEach(({ key, slot }) => expect(calculateSlot(key)).toBe(slot));
  });

  it('spreads fewer keys evenly over the slot space', () => {
    const slots = keysAcrossSlots('canary:', 4).map(({ slot }) => slot);
    expect(slots).toEqual([0, 4096, 8192, 12288]);
  });

  it.each([0, 16385, 1.5])('refuses a count of %s', (count) => {
    expect(() => keysAcrossSlots('canary:', count)).toThrow(/integer from 1 to 16384/);
  });
});

describe('evenSlotRange', () => {
  it('splits the slots as redis-cli --cluster create does', () => {
    expect([0, 1, 2].map((index) => evenSlotRange(index, 3))).toEqual([
      { start: 0, end: 5460 },
      { start: 5461, end: 10922 },
      { start: 10923, end: 16383 },
    ]);
  });

  it.each([1, 2, 5, 7, 16])('covers every slot exactly once with %i masters', (masters) => {
    const ranges = Array.from({ length: masters }, (_, index) => evenSlotRange(index, masters));
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(16383);
    ranges.slice(1).forEach((range, index) => expect(range.start).toBe(ranges[index]!.end + 1));
  });
});
