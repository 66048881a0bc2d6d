import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../targets/targets-file.js';
import { labTargetsEntry, targetsFileEntry } from './lab-targets-entry.js';
import { labTarget } from './lab-topology.js';

describe('labTargetsEntry', () => {
  it.each([
    [1, 1],
    [3, 2],
  ])('names a lab of %i shard(s) and %i replica(s) per master as the targets file reads it back', (shards, replicasPerMaster) => {
    const settings = { name: 'ha-unit', basePort: 12_000, shards, replicasPerMaster };
    const { targets } = parseTargetsFile(JSON.stringify({ targets: [labTargetsEntry(settings, 'first')] }));
    expect(targets).toEqual([labTarget(settings, 'first')]);
  });

  it('gives several labs side by side as one file', () => {
    const entries = ['one', 'two', 'three'].map((name, index) =>
      labTargetsEntry({ name: `ha-${name}`, basePort: 12_000 + index * 100, shards: 1 }, name),
    );
    expect(parseTargetsFile(JSON.stringify({ targets: entries })).targets.map((target) => target.name)).toEqual(['one', 'two', 'three']);
  });
});

describe('targetsFileEntry', () => {
  it('keeps the address of a node outside loopback, which the file reads back', () => {
    const lab = labTarget({ name: 'bridge-unit', basePort: 12_000, shards: 1 }, 'bridged');
    const onBridge = {
      ...lab,
      groups: {
        A: lab.groups.A.map((node, index) => ({ ...node, host: `172.31.9.${10 + index}`, port: 6379 })),
        B: lab.groups.B.map((node, index) => ({ ...node, host: `172.31.9.${20 + index}`, port: 6379 })),
      },
    };
    const entry = targetsFileEntry(onBridge);
    expect(entry.groups.A[0]).toEqual({ name: 'a1', host: '172.31.9.10', port: 6379, containerName: 'bridge-unit-a1' });
    expect(parseTargetsFile(JSON.stringify({ targets: [entry] })).targets).toEqual([onBridge]);
  });
});
