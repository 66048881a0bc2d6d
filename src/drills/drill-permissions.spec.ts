import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import { NodeAuthenticationError, NodeUnreachableError } from '../cluster/cluster-errors.js';
import type { NamedNode } from '../cluster/node-snapshot.js';
import { labTarget } from '../lab/lab-topology.js';
import { accessChecks, DRILL_PERMISSIONS } from './drill-permissions.js';

const target = labTarget({ name: 'unit', basePort: 7000 }, 'lab');

/** An admin whose nodes answer the permission check as given, by node name. */
const adminAnswering = (answers: Record<string, string[] | Error>) =>
  ({
    missingPermissions: (node: NamedNode) => {
      const answer = answers[node.name] ?? [];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  }) as unknown as ClusterAdmin;

describe('the redis-access preflight check', () => {
  it('passes when every node lets the user run everything', async () => {
    expect(await accessChecks(adminAnswering({}), target, 'group-failover', 'drill')).toEqual([]);
  });

  it('names each missing permission with the nodes that lack it, and a node that refused the credentials', async () => {
    const address = { host: '127.0.0.1', port: 7001 };
    const failed = await accessChecks(
      adminAnswering({
        a2: ['cluster|failover'],
        a1: ['cluster|failover', 'flushall'],
        b1: new NodeAuthenticationError(address, new Error('WRONGPASS invalid username-password pair or user is disabled.')),
        // A node that does not answer is the readiness check's to name.
        b2: new NodeUnreachableError(address, new Error('connect ECONNREFUSED')),
      }),
      target,
      'group-failover',
      'drill',
    );
    expect(failed).toEqual([
      {
        check: 'redis-access',
        problem:
          "b1: Redis at 127.0.0.1:7001 did not accept the target's credentials: WRONGPASS invalid username-password pair or user is disabled.; " +
          'user drill lacks the permission cluster|failover (on a1, a2); user drill lacks the permission flushall (on a1)',
      },
    ]);
  });

  it('checks only what the ACL of docs/security.md grants, so that the documented user passes', () => {
    const line = readFileSync('docs/security.md', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('ACL SETUSER drill '))!;
    const granted = new Set(line.split(' ').filter((word) => word.startsWith('+') || word.startsWith('~')));
    for (const { permission } of DRILL_PERMISSIONS) {
      const [command, keys] = permission.split(' ');
      expect(granted, permission).toContain(`+${command}`);
      if (keys) {
        expect(keys.startsWith('~redis-drill:'), permission).toBe(true);
        expect(granted).toContain('~redis-drill:*');
      }
    }
    expect(granted).toContain('+multi');
    expect(granted).toContain('+discard');
  });
});
