import { describe, expect, it } from 'vitest';
import { epochLaggards } from './epochs.js';

describe('epochLaggards', () => {
  const peers = [
    { name: 'b1', currentEpoch: 17 },
    { name: 'b2', currentEpoch: 16 },
    { name: 'b3', currentEpoch: 17 },
  ];

  it('names the taker that has not heard of the highest epoch a peer reports', () => {
    expect(epochLaggards(peers, peers)).toEqual(['b2 is at epoch 16, a peer at 17']);
  });

  it('passes takers at the highest epoch, whatever the peers that take nothing over report below it', () => {
    expect(epochLaggards([peers[0]!, peers[2]!], [...peers, { name: 'a4', currentEpoch: 3 }])).toEqual([]);
  });

  it('holds back a taker behind a peer that takes nothing over', () => {
    expect(epochLaggards([peers[0]!], [peers[0]!, { name: 'a1', currentEpoch: 18 }])).toEqual(['b1 is at epoch 17, a peer at 18']);
  });

  it('names a taker whose epoch could not be read as a number', () => {
    expect(epochLaggards([{ name: 'b1', currentEpoch: Number.NaN }], peers)).toEqual(['b1 is at epoch NaN, a peer at 17']);
  });
});
