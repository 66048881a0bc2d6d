import type { ServerIdentity } from '../cluster/server-identity.js';
import type { ScenarioName } from './scenarios.js';

/** One server and version, and the nodes of the target that run it. */
export interface ServerOnNodes extends ServerIdentity {
  readonly nodes: string[];
}

/** The oldest version of each server the drills are known to work on (Valkey began at 7.2). */
const OLDEST: Readonly<Record<string, string>> = { redis: '7.0', valkey: '7.2' };

/**
 * Why a scenario cannot work on a server at all. Valkey (seen on 8.1) moves a replica's own
 * replicas to its new master when it starts replicating another node, so the standby chain of
 * `prewired-standby` (B4–B6 under B1–B3 while B1–B3 replicate A) cannot exist there.
 */
const SCENARIO_REFUSALS: Readonly<Partial<Record<string, Partial<Record<ScenarioName, string>>>>> = {
  valkey: {
    'prewired-standby':
      'Valkey moves the spares to the standbys’ masters as soon as the standbys attach to the serving group, so a prewired standby chain cannot exist on it; use group-failover',
  },
};

/** Groups what each node said of itself by server and version, in the order first seen. */
export function serversOf(identities: readonly { readonly node: string; readonly identity: ServerIdentity }[]): ServerOnNodes[] {
  const groups: ServerOnNodes[] = [];
  for (const { node, identity } of identities) {
    const group = groups.find((candidate) => candidate.server === identity.server && candidate.version === identity.version);
    if (group) {
      group.nodes.push(node);
    } else {
      groups.push({ ...identity, nodes: [node] });
    }
  }
  return groups;
}

/** The servers as one line: `valkey 8.1.1`, or each with its nodes when the target runs several. */
export function describeServers(servers: readonly ServerOnNodes[]): string {
  return servers.length === 1
    ? `${servers[0]!.server} ${servers[0]!.version}`
    : servers.map((group) => `${group.server} ${group.version} (${group.nodes.join(', ')})`).join(', ');
}

/**
 * Why a drill of this scenario cannot run on these servers, if it cannot: a server that is neither
 * Redis nor Valkey, one older than the oldest the drills are known to work on, a scenario the
 * server cannot carry out (`SCENARIO_REFUSALS`), or a target that mixes
 * servers or versions (a replica cannot load the replication stream of a newer server's format,
 * so the failover's full syncs would depend on which way the drill goes).
 */
export function serverProblems(servers: readonly ServerOnNodes[], scenario: ScenarioName): string[] {
  const problems = servers.flatMap((group) => {
    const oldest = OLDEST[group.server];
    if (oldest === undefined) {
      return [`${group.nodes.join(', ')} run ${group.server} ${group.version}, which is neither Redis nor Valkey`];
    }
    if (olderThan(group.version, oldest)) {
      return [`${group.nodes.join(', ')} run ${group.server} ${group.version}, older than ${oldest}, the oldest the drills work on`];
    }
    const refusal = SCENARIO_REFUSALS[group.server]?.[scenario];
    return refusal ? [`${scenario} cannot run on ${group.server} ${group.version}: ${refusal}`] : [];
  });
  const lines = new Set(servers.map((group) => `${group.server} ${versionLine(group.version)}`));
  if (lines.size > 1) {
    problems.push(`the target mixes servers: ${describeServers(servers)}; every node must run the same server and version`);
  }
  return problems;
}

function versionLine(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function olderThan(version: string, oldest: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [oldestMajor = 0, oldestMinor = 0] = oldest.split('.').map(Number);
  return major < oldestMajor || (major === oldestMajor && minor < oldestMinor);
}
