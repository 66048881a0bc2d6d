import { describe, expect, it } from 'vitest';
import { labContainers, labTarget, validateLabSettings } from './lab-topology.js';

describe('labContainers', () => {
  it('puts the queue on the base port, group A on the next six, group B from base + 11', () => {
    const containers = labContainers({ name: 'lab', basePort: 7000 });
    expect(containers.map((container) => `${container.containerName}:${container.port}`)).toEqual([
      'lab-queue:7000',
      ...[1, 2, 3, 4, 5, 6].map((index) => `lab-a${index}:${7000 + index}`),
      ...[1, 2, 3, 4, 5, 6].map((index) => `lab-b${index}:${7010 + index}`),
    ]);
  });

  it('makes a target of the twelve nodes, labelled with the lab name, on loopback', () => {
    const target = labTarget({ name: 'ci-1', basePort: 7100 }, 'lab');
    expect(target.containerLabel).toEqual({ key: 'io.redis-drill.lab', value: 'ci-1' });
    expect(target.groups.A[0]).toEqual({ name: 'a1', group: 'A', host: '127.0.0.1', port: 7101, containerName: 'ci-1-a1' });
    expect(target.groups.B[5]).toEqual({ name: 'b6', group: 'B', host: '127.0.0.1', port: 7116, containerName: 'ci-1-b6' });
  });
});

describe('a lab of another shape', () => {
  it('puts group B from the next round ten above group A', () => {
    const containers = labContainers({ name: 'lab', basePort: 7000, shards: 9, replicasPerMaster: 1 });
    expect(containers).toHaveLength(37);
    expect(containers.find((container) => container.containerName === 'lab-a18')?.port).toBe(7018);
    expect(containers.find((container) => container.containerName === 'lab-b1')?.port).toBe(7021);
    expect(containers.at(-1)).toMatchObject({ containerName: 'lab-b18', port: 7038 });
  });

  it('makes a target of one shard with one replica, and one of three shards with two', () => {
    expect(labTarget({ name: 'lab', basePort: 7000, shards: 1 }).groups).toMatchObject({
      A: [
        { name: 'a1', port: 7001 },
        { name: 'a2', port: 7002 },
      ],
      B: [
        { name: 'b1', port: 7011 },
        { name: 'b2', port: 7012 },
      ],
    });
    const wide = labTarget({ name: 'lab', basePort: 7000, shards: 3, replicasPerMaster: 2 });
    expect(wide.replicasPerMaster).toBe(2);
    expect(wide.groups.A).toHaveLength(9);
    expect(wide.groups.B[0]).toMatchObject({ name: 'b1', port: 7011 });
  });
});

describe('validateLabSettings', () => {
  it.each([
    [{ name: 'lab', basePort: 1000 }, /base port 1000 must be an integer from 1024 to 55519/],
    [{ name: 'lab', basePort: 55520 }, /base port 55520/],
    [{ name: '-lab', basePort: 7000 }, /lab name "-lab"/],
    [{ name: 'a'.repeat(42), basePort: 7000 }, /lab name/],
    [{ name: 'lab', basePort: 7000, shards: 17 }, /lab shards 17 must be an integer from 1 to 16/],
    [{ name: 'lab', basePort: 7000, shards: 0 }, /lab shards 0/],
    [{ name: 'lab', basePort: 7000, replicasPerMaster: 3 }, /replicas per master 3 must be 1 or 2/],
    [{ name: 'lab', basePort: 55519, shards: 16, replicasPerMaster: 2 }, /base port 55519 must be an integer from 1024 to 55437/],
  ])('refuses %j', (settings, message) => {
    expect(() => validateLabSettings(settings)).toThrow(message);
  });

  it('accepts the highest base port whose bus ports still fit', () => {
    expect(() => validateLabSettings({ name: 'lab', basePort: 55519 })).not.toThrow();
  });
});
