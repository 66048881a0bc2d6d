import { describe, expect, it } from 'vitest';
import { clusterViews, type ViewNode } from '../cluster/testing/cluster-views.js';
import { labTarget } from '../lab/lab-topology.js';
import { failoverLayout } from '../targets/drill-target.js';
import { readinessProblems } from './readiness.js';

const layout = failoverLayout(labTarget({ name: 'lab', basePort: 7000 }), 'A');

/** The seed's starting layout: A serving with a replica per master, B1–B3 replicating A's masters, B4–B6 empty. */
const starting: ViewNode[] = [
  { name: 'a1', port: 7001, slots: [[0, 5460]], offset: 10 },
  { name: 'a2', port: 7002, slots: [[5461, 10922]], offset: 20 },
  { name: 'a3', port: 7003, slots: [[10923, 16383]], offset: 30 },
  { name: 'a4', port: 7004, replicates: 'a1' },
  { name: 'a5', port: 7005, replicates: 'a2' },
  { name: 'a6', port: 7006, replicates: 'a3' },
  { name: 'b1', port: 7011, replicates: 'a1' },
  { name: 'b2', port: 7012, replicates: 'a2' },
  { name: 'b3', port: 7013, replicates: 'a3' },
];
const spares = clusterViews([
  { name: 'b4', port: 7014 },
  { name: 'b5', port: 7015 },
  { name: 'b6', port: 7016 },
]).map((view, index, all) => (view.reachable ? { ...view, entries: view.entries.filter((entry) => entry.myself) } : all[index]!));

describe('readinessProblems', () => {
  it('has none in the starting layout', () => {
    expect(readinessProblems(layout, [...clusterViews(starting), ...spares], 0)).toEqual([]);
  });

  it('names a standby that is not attached, and the master left with one replica', () => {
    const detached = starting.map((node) => (node.name === 'b2' ? { name: 'b2', port: 7012 } : node));
    const problems = readinessProblems(layout, [...clusterViews(detached), ...spares], 0);
    expect(problems).toContain('master a2 (127.0.0.1:7002) has 1 synced replica(s), expected 2');
    expect(problems).toContain(
      'standby b2 (127.0.0.1:7012) does not replicate a master of group A: it is a master serving no slots; attach the standbys first',
    );
  });

  it('names two standbys on one master', () => {
    const doubled = starting.map((node) => (node.name === 'b3' ? { ...node, replicates: 'a1' } : node));
    expect(readinessProblems(layout, [...clusterViews(doubled), ...spares], 0)).toContain(
      'standby b3 (127.0.0.1:7013) replicates a1, which another standby already replicates',
    );
  });

  it('names a spare that already belongs to a cluster', () => {
    const joined = clusterViews([...starting, { name: 'b4', port: 7014, replicates: 'a1' }]);
    const problems = readinessProblems(layout, [...joined.slice(0, 9), joined[9]!, ...spares.slice(1)], 0);
    expect(problems).toEqual(['spare b4 (127.0.0.1:7014) is not an empty node: it knows 10 node(s)']);
  });

  it('names an unreachable serving node', () => {
    const problems = readinessProblems(layout, [...clusterViews(starting, { unreachable: ['a3'] }), ...spares], 0);
    expect(problems[0]).toBe('a3 (127.0.0.1:7003) is unreachable: connect ECONNREFUSED');
  });
});
