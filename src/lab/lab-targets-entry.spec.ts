import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../targets/targets-file.js';
import { labTargetsEntry } from './lab-targets-entry.js';
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
