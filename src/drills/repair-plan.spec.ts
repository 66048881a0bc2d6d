import { describe, expect, it } from 'vitest';
import { clusterViews, idOf, threeShards, type ViewNode } from '../cluster/testing/cluster-views.js';
import type { NodeSnapshot } from '../cluster/node-snapshot.js';
import { labTarget } from '../lab/lab-topology.js';
import { targetNodes } from '../targets/drill-target.js';
import { planRepair, repairLogFacts, type RepairObservation } from './repair-plan.js';

const target = labTarget({ name: 'lab', basePort: 7000 });
const A_NODES = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];

/** Nodes that know only themselves: empty nodes, or nodes that were never met. */
const isolated = (nodes: readonly ViewNode[]): NodeSnapshot[] => nodes.map((node) => clusterViews([node])[0]!);

function observe(snapshots: NodeSnapshot[], stopped: readonly string[] = []): RepairObservation {
  const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
  return {
    snapshots: targetNodes(target).map((node) => byName.get(node.name)!),
    containers: targetNodes(target).map((node) => ({
      node,
      state: { exists: true, running: !stopped.includes(node.name), labelled: true },
    })),
    maxReplicaLagBytes: 0,
  };
}

/** Group A as a killed group looks from B: listed in B's tables, its containers stopped. */
const deadA: ViewNode[] = A_NODES.map((name, index) => ({ name, port: 7001 + index }));
const promoted = threeShards.slice(0, 3);
const spares = threeShards.slice(3).map(({ name, port }) => ({ name, port }));
const attachedA: ViewNode[] = [
  { name: 'a1', port: 7001, replicates: 'b1' },
  { name: 'a2', port: 7002, replicates: 'b2' },
  { name: 'a3', port: 7003, replicates: 'b3' },
];
const emptyA: ViewNode[] = [4, 5, 6].map((n) => ({ name: `a${n}`, port: 7000 + n }));

describe('planRepair', () => {
  it('given the starting layout, when planned, then the target is ready and nothing is done', () => {
    const snapshots = [...clusterViews([...threeShards, ...attachedA]), ...isolated(emptyA)];
    const plan = planRepair(target, observe(snapshots), {});
    expect(plan).toMatchObject({ ready: true, findings: [], actions: [], serving: 'B' });
  });

  it('given B1–B3 promoted with the dead A nodes still listed, when planned, then it forgets, meets, replicates and restores A', () => {
    const snapshots = [...clusterViews([...promoted, ...deadA], { unreachable: A_NODES }), ...isolated(spares)];
    const plan = planRepair(target, observe(snapshots, A_NODES), {});
    expect(plan.ready).toBe(false);
    expect(plan.findings).toContain('container lab-a1 of a1 is not running');
    expect(plan.findings.some((finding) => finding.startsWith('standby a1 (127.0.0.1:7001) is unreachable'))).toBe(true);
    expect(plan.actions.map((action) => action.kind)).toEqual(['forget', 'meet', 'replicate', 'restore-standby-group']);
    expect(plan.actions[0]).toMatchObject({ forgotten: A_NODES.map((name) => ({ name, nodeId: idOf(name) })) });
    expect(plan.actions[2]).toMatchObject({ nodes: ['b4', 'b5', 'b6'], masters: ['b1', 'b2', 'b3'] });
    expect(plan.actions[3]).toMatchObject({ group: 'A', nodes: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'] });
  });

  it('given the dead nodes forgotten and the spares met but not replicating, when planned, then it replicates and restores A', () => {
    const snapshots = clusterViews([...promoted, ...spares]);
    const plan = planRepair(target, observe([...snapshots, ...clusterViews(deadA, { unreachable: A_NODES })], A_NODES), {});
    expect(plan.actions.map((action) => action.kind)).toEqual(['replicate', 'restore-standby-group']);
  });

  it('given B serving with its replicas and A stopped, when planned, then only group A is restored', () => {
    const snapshots = [...clusterViews(threeShards), ...clusterViews(deadA, { unreachable: A_NODES })];
    const plan = planRepair(target, observe(snapshots, A_NODES), {});
    expect(plan.actions.map((action) => action.kind)).toEqual(['restore-standby-group']);
  });

  it('given two replicas per master, B1–B3 promoted and its six spares empty, when planned, then each spare replicates its shard', () => {
    const wide = labTarget({ name: 'lab', basePort: 7000, shards: 3, replicasPerMaster: 2 });
    const [b1, b2, b3, ...wideSpares] = wide.groups.B;
    const masters = [b1!, b2!, b3!].map((node, index): ViewNode => ({
      name: node.name,
      port: node.port,
      slots: [[index * 5462, Math.min(16383, index * 5462 + 5461)]],
    }));
    const snapshots = [
      ...clusterViews(masters),
      ...isolated(wideSpares.map(({ name, port }) => ({ name, port }))),
      ...clusterViews(
        wide.groups.A.map(({ name, port }) => ({ name, port })),
        { unreachable: wide.groups.A.map((node) => node.name) },
      ),
    ];
    const byName = new Map(snapshots.map((snapshot) => [snapshot.node.name, snapshot]));
    const stopped = new Set(wide.groups.A.map((node) => node.name));
    const plan = planRepair(
      wide,
      {
        snapshots: targetNodes(wide).map((node) => byName.get(node.name)!),
        containers: targetNodes(wide).map((node) => ({ node, state: { exists: true, running: !stopped.has(node.name), labelled: true } })),
        maxReplicaLagBytes: 0,
      },
      {},
    );
    const replicate = plan.actions.find((action) => action.kind === 'replicate');
    expect(replicate).toMatchObject({
      nodes: ['b4', 'b5', 'b6', 'b7', 'b8', 'b9'],
      masters: ['b1', 'b2', 'b3', 'b1', 'b2', 'b3'],
    });
  });

  it('given a failback the log says stopped half-way, when planned, then the failback is finished', () => {
    const snapshots = [...clusterViews([...promoted, ...spares]), ...clusterViews(deadA, { unreachable: A_NODES })];
    const plan = planRepair(target, observe(snapshots, A_NODES), { halfDoneFailback: 'drill-1' });
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'finish-failback', drillId: 'drill-1' })]);
  });

  it('given a serving master that does not answer, when planned, then it is blocked and names the master', () => {
    const snapshots = [...clusterViews([...threeShards, ...deadA], { unreachable: [...A_NODES, 'b2'] })];
    const plan = planRepair(target, observe(snapshots, [...A_NODES, 'b2']), {});
    expect(plan.actions).toEqual([]);
    expect(plan.blocked).toBe('master b2 of the serving group B serves no slots or does not answer');
  });

  it('given no node that answers, when planned, then it is blocked', () => {
    const all = targetNodes(target).map((node) => node.name);
    const snapshots = clusterViews([...threeShards, ...deadA], { unreachable: all });
    const plan = planRepair(target, observe(snapshots, all), {});
    expect(plan).toMatchObject({ ready: false, actions: [], blocked: 'no group serves the slots: there is no failover to finish' });
  });

  it('given a standby group half attached, when planned, then it is blocked rather than torn down', () => {
    const snapshots = [
      ...clusterViews([...threeShards, attachedA[0]!]),
      ...isolated([attachedA[1]!]),
      ...clusterViews(deadA.slice(2), { unreachable: A_NODES.slice(2) }),
    ];
    const plan = planRepair(target, observe(snapshots, A_NODES.slice(2)), {});
    expect(plan.blocked).toMatch(/^group A is partly attached/);
  });
});

describe('repairLogFacts', () => {
  const failbackFailed = {
    id: 'drill-1',
    scenario: 'failover-and-failback',
    status: 'failed',
    steps: [
      { name: 'verify', status: 'succeeded' },
      { name: 'failback', status: 'failed' },
    ],
  };

  it('given a last drill whose failback failed, then that failback is to finish', () => {
    expect(repairLogFacts([failbackFailed])).toEqual({ halfDoneFailback: 'drill-1' });
  });

  it('given a failed repair after it, then it is still to finish; given a repair that succeeded, then not', () => {
    const repair = (status: string) => ({ id: 'repair-1', scenario: 'repair', status, steps: [{ name: 'repair', status }] });
    expect(repairLogFacts([repair('failed'), failbackFailed])).toEqual({ halfDoneFailback: 'drill-1' });
    expect(repairLogFacts([repair('succeeded'), failbackFailed])).toEqual({});
  });

  it('given a last drill that failed before its failback, or no drill, then there is no failback to finish', () => {
    const beforeFailback = { ...failbackFailed, steps: [{ name: 'failback', status: 'skipped' }] };
    expect(repairLogFacts([beforeFailback])).toEqual({});
    expect(repairLogFacts([])).toEqual({});
  });
});
