import { describe, expect, it } from 'vitest';
import { clusterViews, type ViewNode } from '../cluster/testing/cluster-views.js';
import { labTarget } from '../lab/lab-topology.js';
import { failoverLayout, targetNodes } from '../targets/drill-target.js';
import { membershipProblems } from './membership.js';
import { readinessProblems } from './readiness.js';

const target = labTarget({ name: 'lab', basePort: 7000 });
const layout = failoverLayout(target, 'A');
const members = [...layout.servingMasters, ...layout.servingReplicas, ...layout.standbys];
const starting: ViewNode[] = [
  { name: 'a1', port: 7001, slots: [[0, 5460]] },
  { name: 'a2', port: 7002, slots: [[5461, 10922]] },
  { name: 'a3', port: 7003, slots: [[10923, 16383]] },
  { name: 'a4', port: 7004, replicates: 'a1' },
  { name: 'a5', port: 7005, replicates: 'a2' },
  { name: 'a6', port: 7006, replicates: 'a3' },
  { name: 'b1', port: 7011, replicates: 'a1' },
  { name: 'b2', port: 7012, replicates: 'a2' },
  { name: 'b3', port: 7013, replicates: 'a3' },
];

describe('membershipProblems', () => {
  it('has none when the cluster is exactly the listed members', () => {
    expect(membershipProblems('the cluster', members, targetNodes(target), clusterViews(starting))).toEqual([]);
  });

  it('names a member the target does not list, and the node that knows it', () => {
    const views = clusterViews([...starting, { name: 'x9', port: 7099, replicates: 'a1' }]).slice(0, 9);
    expect(membershipProblems('the cluster', members, targetNodes(target), views)).toEqual([
      'the cluster has a member the target does not list: f9000000 at 127.0.0.1:7099 (known to a1)',
    ]);
  });

  it('names each listed member the cluster does not have', () => {
    const views = clusterViews(starting.filter((node) => node.name !== 'b2' && node.name !== 'b3'));
    expect(membershipProblems('the cluster', members, targetNodes(target), views)).toEqual([
      'the target lists b2 (127.0.0.1:7012) in the cluster, which the cluster does not have',
      'the target lists b3 (127.0.0.1:7013) in the cluster, which the cluster does not have',
    ]);
  });

  it('is part of readiness: a drill is refused on a cluster with a stranger in it', () => {
    const views = clusterViews([...starting, { name: 'x9', port: 7099, replicates: 'a1' }]).slice(0, 9);
    expect(readinessProblems(layout, views, 0)).toContain(
      'the cluster has a member the target does not list: f9000000 at 127.0.0.1:7099 (known to a1)',
    );
  });
});
