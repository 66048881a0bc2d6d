import { describe, expect, it } from 'vitest';
import { describeServers, serverProblems, serversOf } from './server-support.js';

const on = (server: string, version: string, ...nodes: string[]) => nodes.map((node) => ({ node, identity: { server, version } }));

describe('the servers a drill runs on', () => {
  it('groups the nodes by server and version', () => {
    const servers = serversOf([...on('valkey', '8.1.1', 'a1', 'a2'), ...on('valkey', '8.1.1', 'b1')]);
    expect(servers).toEqual([{ server: 'valkey', version: '8.1.1', nodes: ['a1', 'a2', 'b1'] }]);
    expect(describeServers(servers)).toBe('valkey 8.1.1');
  });

  it('accepts Redis 7.0 and 8.0 and Valkey 8.1, each on its own', () => {
    for (const [server, version] of [
      ['redis', '7.0.15'],
      ['redis', '8.0.2'],
      ['valkey', '8.1.1'],
    ] as const) {
      expect(serverProblems(serversOf(on(server, version, 'a1', 'b1')), 'group-failover')).toEqual([]);
    }
  });

  it('accepts patch versions of one line side by side', () => {
    expect(serverProblems(serversOf([...on('redis', '7.0.11', 'a1'), ...on('redis', '7.0.15', 'b1')]), 'group-failover')).toEqual([]);
  });

  it('refuses Redis older than 7.0, and a server that is neither Redis nor Valkey, naming the nodes', () => {
    expect(serverProblems(serversOf(on('redis', '6.2.14', 'a1', 'a2')), 'group-failover')).toEqual([
      'a1, a2 run redis 6.2.14, older than 7.0, the oldest the drills work on',
    ]);
    expect(serverProblems(serversOf(on('keydb', '6.3.4', 'a1')), 'group-failover')).toEqual([
      'a1 run keydb 6.3.4, which is neither Redis nor Valkey',
    ]);
  });

  it('refuses a target that mixes servers or version lines', () => {
    const mixed = serversOf([...on('redis', '8.0.2', 'a1'), ...on('redis', '7.0.15', 'b1')]);
    expect(serverProblems(mixed, 'group-failover')).toEqual([
      'the target mixes servers: redis 8.0.2 (a1), redis 7.0.15 (b1); every node must run the same server and version',
    ]);
    expect(serverProblems(serversOf([...on('redis', '8.0.2', 'a1'), ...on('valkey', '8.1.1', 'b1')]), 'group-failover')).toHaveLength(1);
  });

  it('refuses the prewired standby on Valkey, which moves a replica’s replicas to its new master, and runs it on Redis', () => {
    expect(serverProblems(serversOf(on('valkey', '8.1.1', 'a1')), 'prewired-standby')).toEqual([
      expect.stringContaining('prewired-standby cannot run on valkey 8.1.1: Valkey moves the spares'),
    ]);
    expect(serverProblems(serversOf(on('valkey', '8.1.1', 'a1')), 'failover-and-failback')).toEqual([]);
    expect(serverProblems(serversOf(on('redis', '8.0.2', 'a1')), 'prewired-standby')).toEqual([]);
  });
});
