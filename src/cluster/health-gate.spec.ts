import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from './cluster-nodes.parser.js';
import { healthProblems, unservedSlots } from './health-gate.js';
import { clusterViews, idOf, threeShards, type ViewNode } from './testing/cluster-views.js';

const expect3x1 = { masters: 3, replicasPerMaster: 1, maxReplicaLagBytes: 100 };
const replace = (nodes: readonly ViewNode[], name: string, change: Partial<ViewNode>) =>
  nodes.map((node) => (node.name === name ? { ...node, ...change } : node));

describe('healthProblems', () => {
  it('is green for three masters owning all slots, each with a synced replica', () => {
    expect(healthProblems(clusterViews(threeShards), expect3x1)).toEqual([]);
  });

  it('names an unreachable node', () => {
    expect(healthProblems(clusterViews(threeShards, { unreachable: ['b5'] }), expect3x1)).toEqual(
      expect.arrayContaining([
        'b5 (127.0.0.1:7015) is unreachable: connect ECONNREFUSED',
        'master b2 (127.0.0.1:7012) has 0 synced replica(s), expected 1',
      ]),
    );
  });

  it('reports a node whose cluster is not ok or misses slots', () => {
    const problems = healthProblems(
      clusterViews(threeShards, { info: { b3: { cluster_state: 'fail', cluster_slots_ok: '10922' } } }),
      expect3x1,
    );
    expect(problems).toEqual([
      'b3 (127.0.0.1:7013) reports cluster_state:fail',
      'b3 (127.0.0.1:7013) reports cluster_slots_ok:10922, expected 16384',
    ]);
  });

  it.each(['fail', 'fail?', 'handshake', 'noaddr'])('reports a member seen as %s', (flag) => {
    const problems = healthProblems(clusterViews(threeShards, { seenAs: { b6: flag } }), expect3x1);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe(`b1 (127.0.0.1:7011) sees node ${idOf('b6')} (127.0.0.1:7016) as slave,${flag}`);
  });

  it('reports nodes that disagree on who owns the slots', () => {
    const views = clusterViews(threeShards);
    const stale = clusterViews(replace(replace(threeShards, 'b1', { slots: [[0, 5000]] }), 'b2', { slots: [[5001, 10922]] }));
    const problems = healthProblems([...views.slice(0, 5), stale[5]!], expect3x1);
    expect(problems).toEqual(['b6 (127.0.0.1:7016) disagrees with b1 (127.0.0.1:7011) on slot owners']);
  });

  it('reports a master whose replica is behind by more than the allowed lag, or whose link is down', () => {
    const lagging = replace(replace(threeShards, 'b4', { offset: 899 }), 'b5', { linkUp: false });
    expect(healthProblems(clusterViews(lagging), expect3x1)).toEqual([
      'master b1 (127.0.0.1:7011) has 0 synced replica(s), expected 1',
      'master b2 (127.0.0.1:7012) has 0 synced replica(s), expected 1',
    ]);
    expect(healthProblems(clusterViews(replace(threeShards, 'b4', { offset: 900 })), expect3x1)).toEqual([]);
  });

  it('reports a node whose role the others have not learnt yet', () => {
    const promoted = clusterViews(replace(threeShards, 'b4', { replicates: undefined }));
    const problems = healthProblems(
      [...clusterViews(threeShards).slice(0, 3), promoted[3]!, ...clusterViews(threeShards).slice(4)],
      expect3x1,
    );
    expect(problems).toContain('b1 (127.0.0.1:7011) sees b4 as a replica of b1, but it is a master');
    expect(problems.filter((problem) => problem.endsWith('sees b4 as a replica of b1, but it is a master'))).toHaveLength(5);
    expect(problems).toContain('master b1 (127.0.0.1:7011) has 0 synced replica(s), expected 1');
  });

  it('reports the wrong number of serving masters', () => {
    const twoMasters = replace(replace(threeShards, 'b2', { slots: [[5461, 16383]] }), 'b3', { slots: [] });
    expect(healthProblems(clusterViews(twoMasters), { ...expect3x1, replicasPerMaster: 0 })).toEqual([
      'expected 3 masters serving slots, found 2',
    ]);
  });
});

describe('unservedSlots', () => {
  const line = (id: string, port: number, flags: string, epoch: number, slots: string) =>
    `${id.repeat(40)} 127.0.0.1:${port}@${port + 10000} ${flags} - 0 0 ${epoch} ${flags.includes('fail') ? 'disconnected' : 'connected'} ${slots}`;

  it('names the failing owner of the slots a node cannot serve, with its epoch, beside the healthy masters', () => {
    const entries = parseClusterNodes(
      [
        line('a', 7001, 'master,fail', 3, '10923-16383'),
        line('b', 7011, 'myself,master', 7, '0-5460'),
        line('c', 7012, 'master', 8, '5461-10922'),
      ].join('\n'),
    );
    expect(unservedSlots(entries)).toBe(
      'slots with failing masters: aaaaaaaa (127.0.0.1:7001, master,fail, epoch 3) 10923-16383; ' +
        'healthy masters: bbbbbbbb (127.0.0.1:7011, myself,master, epoch 7) 0-5460; cccccccc (127.0.0.1:7012, master, epoch 8) 5461-10922',
    );
  });

  it('says nothing when no master holding slots is failing', () => {
    expect(unservedSlots(parseClusterNodes(line('b', 7011, 'myself,master', 7, '0-16383')))).toBe('');
  });
});
