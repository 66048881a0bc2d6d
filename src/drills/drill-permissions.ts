import type { ClusterAdmin, PermissionCheck } from '../cluster/cluster-admin.js';
import { NodeUnreachableError } from '../cluster/cluster-errors.js';
import { hashTagsBySlot } from '../cluster/slot-keys.js';
import { errorMessage } from '../common/app-error.js';
import { PROBE_KEY_PREFIX } from '../probe/live-probe.js';
import { targetNodes, type DrillTarget } from '../targets/drill-target.js';
import { CANARY_PREFIX } from './canaries.js';
import type { FailedCheck } from './preflight.js';
import type { ScenarioName } from './scenarios.js';

const CANARY_KEY = `${CANARY_PREFIX}{${hashTagsBySlot()[0]}}`;
const PROBE_KEY = `${PROBE_KEY_PREFIX}{${hashTagsBySlot()[0]}}:check`;

/**
 * Every command a drill sends to a node, by the ACL permission it needs, with a command that
 * needs it (only ever queued in a discarded `MULTI`, see `ClusterAdmin.missingPermissions`).
 * docs/security.md turns this list into the drill user's ACL; keep the two in step.
 */
export const DRILL_PERMISSIONS: readonly PermissionCheck[] = [
  { permission: 'ping', command: ['PING'] },
  { permission: 'info', command: ['INFO', 'replication'] },
  { permission: 'role', command: ['ROLE'] },
  { permission: 'dbsize', command: ['DBSIZE'] },
  { permission: 'cluster|nodes', command: ['CLUSTER', 'NODES'] },
  { permission: 'cluster|info', command: ['CLUSTER', 'INFO'] },
  { permission: 'cluster|myid', command: ['CLUSTER', 'MYID'] },
  { permission: 'cluster|slots', command: ['CLUSTER', 'SLOTS'] },
  { permission: 'cluster|meet', command: ['CLUSTER', 'MEET', '127.0.0.1', 1] },
  { permission: 'cluster|replicate', command: ['CLUSTER', 'REPLICATE', 'nonexistent'] },
  { permission: 'cluster|failover', command: ['CLUSTER', 'FAILOVER', 'TAKEOVER'] },
  { permission: 'cluster|forget', command: ['CLUSTER', 'FORGET', 'nonexistent'] },
  { permission: 'cluster|reset', command: ['CLUSTER', 'RESET', 'HARD'] },
  // Only when a node has not taken a takeover in (see `ClusterAdmin.waitTakeoversHeard`).
  { permission: 'cluster|bumpepoch', command: ['CLUSTER', 'BUMPEPOCH'] },
  { permission: 'cluster|setslot', command: ['CLUSTER', 'SETSLOT', 0, 'NODE', 'nonexistent'] },
  { permission: 'config|get', command: ['CONFIG', 'GET', 'cluster-allow-replica-migration'] },
  { permission: 'config|set', command: ['CONFIG', 'SET', 'cluster-allow-replica-migration', 'no'] },
  { permission: 'client|pause', command: ['CLIENT', 'PAUSE', 1, 'WRITE'] },
  { permission: 'client|unpause', command: ['CLIENT', 'UNPAUSE'] },
  { permission: 'flushall', command: ['FLUSHALL'] },
  // Replicas given the target's credentials (masteruser) use them for their own replication link.
  { permission: 'replconf', command: ['REPLCONF', 'listening-port', 1] },
  { permission: `set ~${CANARY_PREFIX}*`, command: ['SET', CANARY_KEY, 'check'] },
  { permission: `get ~${CANARY_PREFIX}*`, command: ['GET', CANARY_KEY] },
  { permission: `set ~${PROBE_KEY_PREFIX}*`, command: ['SET', PROBE_KEY, 'check', 'EX', 1] },
  { permission: `mget ~${PROBE_KEY_PREFIX}*`, command: ['MGET', PROBE_KEY] },
];

/** What `backup-restore` needs besides: forming the standby cluster, and copying every key. */
export const BACKUP_RESTORE_PERMISSIONS: readonly PermissionCheck[] = [
  { permission: 'cluster|set-config-epoch', command: ['CLUSTER', 'SET-CONFIG-EPOCH', 1] },
  { permission: 'cluster|addslotsrange', command: ['CLUSTER', 'ADDSLOTSRANGE', 0, 0] },
  { permission: 'scan', command: ['SCAN', 0] },
  { permission: 'pttl ~*', command: ['PTTL', 'any-key'] },
  { permission: 'dump ~*', command: ['DUMP', 'any-key'] },
  { permission: 'restore ~*', command: ['RESTORE', 'any-key', 0, 'payload'] },
];

/**
 * The `redis-access` preflight check: every node that answers accepts the target's credentials,
 * and its user may run every command the scenario sends. A node that does not answer at all is
 * left to the readiness check, which names it.
 */
export async function accessChecks(admin: ClusterAdmin, target: DrillTarget, scenario: ScenarioName, user: string): Promise<FailedCheck[]> {
  const checks = scenario === 'backup-restore' ? [...DRILL_PERMISSIONS, ...BACKUP_RESTORE_PERMISSIONS] : DRILL_PERMISSIONS;
  const missingOn = new Map<string, string[]>();
  const problems: string[] = [];
  await Promise.all(
    targetNodes(target).map(async (node) => {
      try {
        for (const permission of await admin.missingPermissions(node, checks)) {
          missingOn.set(permission, [...(missingOn.get(permission) ?? []), node.name]);
        }
      } catch (error) {
        if (!(error instanceof NodeUnreachableError)) {
          problems.push(`${node.name}: ${errorMessage(error)}`);
        }
      }
    }),
  );
  for (const [permission, nodes] of missingOn) {
    problems.push(`user ${user} lacks the permission ${permission} (on ${nodes.sort().join(', ')})`);
  }
  return problems.length > 0 ? [{ check: 'redis-access', problem: problems.sort().join('; ') }] : [];
}
