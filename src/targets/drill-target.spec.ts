import { describe, expect, it } from 'vitest';
import { labTarget } from '../lab/lab-topology.js';
import { failoverLayout, pairedByShard, validateTarget, type DrillTarget } from './drill-target.js';
import { TargetRegistry, UnknownTargetError } from './target-registry.js';

const target = labTarget({ name: 'lab', basePort: 7000 });
const names = (nodes: readonly { name: string }[]) => nodes.map((node) => node.name);

describe('failoverLayout', () => {
  it('from A: A1–A3 serve, A4–A6 replicate them, B1–B3 take over, B4–B6 become their replicas', () => {
    const layout = failoverLayout(target, 'A');
    expect(layout.to).toBe('B');
    expect(names(layout.servingMasters)).toEqual(['a1', 'a2', 'a3']);
    expect(names(layout.servingReplicas)).toEqual(['a4', 'a5', 'a6']);
    expect(names(layout.standbys)).toEqual(['b1', 'b2', 'b3']);
    expect(names(layout.spares)).toEqual(['b4', 'b5', 'b6']);
  });

  it("with two replicas per master: every shard's first replica, then every second one, and as many spares", () => {
    const layout = failoverLayout(labTarget({ name: 'lab', basePort: 7000, shards: 2, replicasPerMaster: 2 }), 'A');
    expect(layout.replicasPerMaster).toBe(2);
    expect(names(layout.servingMasters)).toEqual(['a1', 'a2']);
    expect(
      pairedByShard(layout.servingReplicas, layout.servingMasters).map(({ replica, master }) => `${replica.name}→${master.name}`),
    ).toEqual(['a3→a1', 'a4→a2', 'a5→a1', 'a6→a2']);
    expect(names(layout.standbys)).toEqual(['b1', 'b2']);
    expect(names(layout.spares)).toEqual(['b3', 'b4', 'b5', 'b6']);
  });

  it('from B: the roles swap groups', () => {
    const layout = failoverLayout(target, 'B');
    expect(layout.to).toBe('A');
    expect(names(layout.servingMasters)).toEqual(['b1', 'b2', 'b3']);
    expect(names(layout.standbys)).toEqual(['a1', 'a2', 'a3']);
  });
});

describe('validateTarget', () => {
  const withNode = (index: number, change: object): DrillTarget => ({
    ...target,
    groups: { ...target.groups, B: target.groups.B.map((node, at) => (at === index ? { ...node, ...change } : node)) },
  });

  it('accepts the lab, and nodes anywhere the service reaches, sharing a port on different hosts', () => {
    expect(() => validateTarget(target)).not.toThrow();
    expect(() => validateTarget(withNode(0, { host: '172.18.0.5', port: 6379 }))).not.toThrow();
    expect(() => validateTarget(withNode(1, { host: '172.18.0.6', port: 6379 }))).not.toThrow();
  });

  it.each<[string, DrillTarget, RegExp]>([
    [
      'a node on an engine the target does not list',
      withNode(0, { engine: 'west' }),
      /b1 names the engine west, which the target does not list/,
    ],
    ['two nodes on one port', withNode(1, { port: 7011 }), /address 127.0.0.1:7011 appears twice/],
    ['two nodes in one container', withNode(2, { containerName: 'lab-b1' }), /container lab-b1 appears twice/],
    [
      'groups of different sizes',
      { ...target, groups: { ...target.groups, B: target.groups.B.slice(0, 4) } },
      /as many nodes as group A \(6\), got 4/,
    ],
    ['an odd group', { ...target, groups: { A: target.groups.A.slice(0, 5), B: target.groups.B.slice(0, 5) } }, /even, non-zero count/],
    [
      'two replicas per master in groups of four',
      { ...target, replicasPerMaster: 2, groups: { A: target.groups.A.slice(0, 4), B: target.groups.B.slice(0, 4) } },
      /master and two replicas \(a non-zero multiple of three\), got 4/,
    ],
    ['three replicas per master', { ...target, replicasPerMaster: 3 }, /replicasPerMaster must be 1 or 2, got 3/],
  ])('refuses %s', (_, broken, message) => {
    expect(() => validateTarget(broken)).toThrow(message);
  });
});

describe('TargetRegistry', () => {
  it('finds targets by name and names the known ones for an unknown name', () => {
    const registry = new TargetRegistry([target], 'lab');
    expect(registry.get('lab')).toBe(target);
    expect(() => registry.get('prod')).toThrow(new UnknownTargetError('prod', ['lab']));
    expect(() => registry.get('prod')).toThrow('unknown target "prod"; known targets: lab');
  });

  it('refuses a default that is not among the targets', () => {
    expect(() => new TargetRegistry([target], 'prod')).toThrow(/unknown target "prod"/);
  });
});
