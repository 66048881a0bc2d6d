import { describe, expect, it } from 'vitest';
import { redisArguments } from './lab.js';
import type { LabContainer } from './lab-topology.js';

const node: LabContainer = {
  containerName: 'drill-a1',
  port: 7101,
  role: 'node',
  node: { name: 'a1', group: 'A', host: '127.0.0.1', port: 7101, containerName: 'drill-a1' },
};
const queue: LabContainer = { containerName: 'drill-queue', port: 7000, role: 'queue' };

const CLUSTER_NODE = [
  '--appendonly',
  'no',
  '--cluster-enabled',
  'yes',
  '--cluster-config-file',
  'nodes.conf',
  '--cluster-node-timeout',
  '5000',
  '--repl-diskless-sync',
  'yes',
  '--repl-diskless-sync-delay',
  '0',
];
const DURABLE_QUEUE = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];

describe('redisArguments', () => {
  it('binds a cluster node to loopback and makes it a cluster member that syncs replicas without delay', () => {
    expect(redisArguments(node)).toEqual(['redis-server', '--port', '7101', '--bind', '127.0.0.1', '--save', '', ...CLUSTER_NODE]);
  });

  it('binds the queue Redis to loopback, keeps its jobs in an append-only file and never evicts them', () => {
    expect(redisArguments(queue)).toEqual(['redis-server', '--port', '7000', '--bind', '127.0.0.1', '--save', '', ...DURABLE_QUEUE]);
  });

  it('at a container address, binds every address and turns protected mode off, and changes nothing else', () => {
    const atContainer = ['--bind', '0.0.0.0', '--protected-mode', 'no'];
    expect(redisArguments(node, {}, 'container')).toEqual([
      'redis-server',
      '--port',
      '7101',
      ...atContainer,
      '--save',
      '',
      ...CLUSTER_NODE,
    ]);
    expect(redisArguments(queue, {}, 'container')).toEqual([
      'redis-server',
      '--port',
      '7000',
      ...atContainer,
      '--save',
      '',
      ...DURABLE_QUEUE,
    ]);
  });

  it('gives a secured node TLS on its port, for clients, the cluster bus and replication, and its users with the default one off', () => {
    const security = { tlsDirectory: '/host/tls', users: [['drill', 'on', '>secret', '~*', '+@all']] };
    expect(redisArguments(node, security, 'container')).toEqual([
      ...['redis-server', '--port', '0', '--tls-port', '7101', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', ''],
      ...CLUSTER_NODE,
      ...['--tls-cert-file', '/tls/node.crt', '--tls-key-file', '/tls/node.key', '--tls-ca-cert-file', '/tls/ca.crt'],
      ...['--tls-cluster', 'yes', '--tls-replication', 'yes'],
      ...['--user', 'drill', 'on', '>secret', '~*', '+@all', '--user', 'default', 'off'],
    ]);
  });

  it('leaves the queue Redis of a secured lab plain', () => {
    const security = { tlsDirectory: '/host/tls', users: [['drill', 'on', '>secret', '~*', '+@all']] };
    expect(redisArguments(queue, security)).toEqual(redisArguments(queue));
  });
});
