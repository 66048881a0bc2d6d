import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../cluster/cluster-nodes.parser.js';
import { discoverTarget, type DiscoveredContainer } from './target-discovery.js';

const label = { key: 'com.docker.compose.project', value: 'redis-cluster-manual-failover' };
const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
const ip = (node: string) => `172.30.0.${names.indexOf(node) + 10}`;
const seed: DiscoveredContainer[] = names.map((node) => ({
  name: `redis-cluster-manual-failover-redis-${node}-1`,
  addresses: [ip(node)],
  port: 6379,
  clusterConfigFile: '/data/nodes.conf',
}));
const id = (node: string) => node.padEnd(40, '0');
const line = (node: string, role: string, master = '-', slots = '') =>
  `${id(node)} ${ip(node)}:6379@16379 ${role} ${master} 0 0 1 connected ${slots}`.trim();
/** The seed after its steps 1–4, as a2 sees it: a2 is the first master by slots here only by its id's order. */
const afterSteps = parseClusterNodes(
  [
    line('a2', 'myself,master', '-', '5461-10922'),
    line('a1', 'master', '-', '0-5460'),
    line('a3', 'master', '-', '10923-16383'),
    line('a4', 'slave', id('a2')),
    line('a5', 'slave', id('a3')),
    line('a6', 'slave', id('a1')),
    line('b1', 'slave', id('a1')),
    line('b2', 'slave', id('a2')),
    line('b3', 'slave', id('a3')),
  ].join('\n'),
);

describe('discoverTarget', () => {
  it('makes the seed’s target: A serving in slot order, B1–B3 its standbys, B4–B6 the spares', () => {
    const found = discoverTarget('seed', label, seed, afterSteps);
    expect(found).toMatchObject({
      servingGroup: 'A',
      masters: ['a1', 'a2', 'a3'],
      replicas: ['a6', 'a4', 'a5'],
      standbys: ['b1', 'b2', 'b3'],
      spares: ['b4', 'b5', 'b6'],
    });
    expect(found.target.groups.B[3]).toEqual({
      name: 'b4',
      host: '172.30.0.19',
      port: 6379,
      containerName: 'redis-cluster-manual-failover-redis-b4-1',
      group: 'B',
    });
    expect(found.target.clusterConfigFile).toBe('/data/nodes.conf');
    expect(found.target.containerLabel).toEqual(label);
  });

  it('keeps the group letters when B serves', () => {
    const swapped = seed.map((container) => ({
      ...container,
      name: container.name
        .replace(/-a(\d)-/, '-x$1-')
        .replace(/-b(\d)-/, '-a$1-')
        .replace(/-x(\d)-/, '-b$1-'),
    }));
    expect(discoverTarget('seed', label, swapped, afterSteps)).toMatchObject({
      servingGroup: 'B',
      masters: ['b1', 'b2', 'b3'],
      spares: ['a4', 'a5', 'a6'],
    });
  });

  it.each([
    ['no container', [], afterSteps, /^no container carries the label com\.docker\.compose\.project=redis-cluster-manual-failover$/],
    [
      'a member in no labelled container',
      seed.filter((container) => !container.name.includes('-b2-')),
      afterSteps,
      /^the cluster member b2000000 at 172\.30\.0\.17:6379 runs in no container labelled/,
    ],
    [
      'a master with two standbys',
      seed,
      afterSteps.map((entry) => (entry.id === id('b3') ? { ...entry, masterId: id('a1') } : entry)),
      /^master a1 has 2 standbys in group b…, expected 1$/,
    ],
    [
      'a serving container outside the cluster',
      seed,
      afterSteps.filter((entry) => entry.id !== id('a6')),
      /^master a1 has 0 replicas in group a…, expected 1$/,
    ],
    ['no cluster yet', seed, [], /^the cluster has no master serving slots$/],
  ])('refuses %s, saying what does not fit', (_, containers, entries, message) => {
    expect(() => discoverTarget('seed', label, containers, entries)).toThrow(message);
  });
});
