import { HttpStatus } from '@nestjs/common';
import type { ClusterNodeEntry } from '../cluster/cluster-nodes.parser.js';
import { AppError } from '../common/app-error.js';
import { validateTarget, type DrillTarget, type GroupName, type TargetNode } from './drill-target.js';

/** What discovery reads of one container: where its node listens and where it keeps its cluster config. */
export interface DiscoveredContainer {
  readonly name: string;
  /** Its addresses on the networks it is attached to; none on the host's network. */
  readonly addresses: readonly string[];
  /** `--port` of its command line, else Redis's 6379. */
  readonly port: number;
  /** Absolute path of its cluster config file. */
  readonly clusterConfigFile: string;
}

/** A target as discovery found it, with who does what in the failover it would drill. */
export interface DiscoveredTarget {
  readonly target: DrillTarget;
  readonly servingGroup: GroupName;
  readonly masters: readonly string[];
  readonly replicas: readonly string[];
  readonly standbys: readonly string[];
  readonly spares: readonly string[];
}

/** Discovery could not make a target of what it found; the message says what does not fit. */
export class TargetDiscoveryError extends AppError {
  readonly code = 'TARGET_NOT_DISCOVERED';
  override readonly httpStatus = HttpStatus.UNPROCESSABLE_ENTITY;
}

const HOST_NETWORK = '127.0.0.1';

/**
 * Makes a target of the containers carrying one label and the cluster one of them belongs to
 * (`entries`: `CLUSTER NODES` as one member sees it). Nodes are named after their containers,
 * less what every container's name shares at its start and end (`…-redis-a1-1` → `a1`), and
 * grouped by that name without its digits: the masters' group serves, with one replica per
 * master; the other group holds one standby per master, replicating it, and the spares, the
 * group's containers that belong to no cluster. Masters are in slot order, and each group lists
 * its replicas (or spares) after its masters (or standbys), as the targets file does.
 */
export function discoverTarget(
  name: string,
  containerLabel: { readonly key: string; readonly value: string },
  containers: readonly DiscoveredContainer[],
  entries: readonly ClusterNodeEntry[],
): DiscoveredTarget {
  if (containers.length === 0) {
    throw new TargetDiscoveryError(`no container carries the label ${containerLabel.key}=${containerLabel.value}`);
  }
  const nodeNames = shortNames(containers.map((container) => container.name));
  const byAddress = new Map<string, DiscoveredContainer>();
  for (const container of containers) {
    for (const address of container.addresses.length > 0 ? container.addresses : [HOST_NETWORK]) {
      byAddress.set(`${address}:${container.port}`, container);
    }
  }
  const members = entries.filter((entry) => !entry.flags.includes('handshake') && entry.address !== '');
  const containerOf = new Map<string, DiscoveredContainer>();
  for (const entry of members) {
    const container = byAddress.get(`${entry.host}:${entry.port}`);
    if (!container) {
      throw new TargetDiscoveryError(
        `the cluster member ${entry.id.slice(0, 8)} at ${entry.address} runs in no container labelled ${containerLabel.key}=${containerLabel.value}`,
      );
    }
    containerOf.set(entry.id, container);
  }
  const node = (container: DiscoveredContainer, group: GroupName, host?: string): TargetNode => ({
    name: nodeNames.get(container.name)!,
    host: host ?? container.addresses[0] ?? HOST_NETWORK,
    port: container.port,
    containerName: container.name,
    group,
  });
  const groupKey = (container: DiscoveredContainer) => nodeNames.get(container.name)!.replace(/\d+$/, '');

  const masters = members
    .filter((entry) => entry.role === 'master' && entry.slots.length > 0)
    .sort((x, y) => x.slots[0]!.start - y.slots[0]!.start);
  if (masters.length === 0) {
    throw new TargetDiscoveryError('the cluster has no master serving slots');
  }
  const servingKeys = new Set(masters.map((entry) => groupKey(containerOf.get(entry.id)!)));
  if (servingKeys.size !== 1) {
    throw new TargetDiscoveryError(
      `the masters belong to more than one group (${[...servingKeys].join(', ')}): a drill fails one group over to another`,
    );
  }
  const servingKey = [...servingKeys][0]!;
  const otherKeys = [...new Set(containers.map(groupKey))].filter((key) => key !== servingKey);
  if (otherKeys.length !== 1) {
    throw new TargetDiscoveryError(
      `the containers must form two groups, the serving one (${servingKey}…) and one standby group; found ${otherKeys.length === 0 ? 'no other' : otherKeys.map((key) => `${key}…`).join(', ')}`,
    );
  }
  const standbyKey = otherKeys[0]!;
  const [servingGroup, standbyGroup] = groupNames(servingKey, standbyKey);

  const replicaIn = (master: ClusterNodeEntry, key: string, role: string): ClusterNodeEntry => {
    const found = members.filter((entry) => entry.masterId === master.id && groupKey(containerOf.get(entry.id)!) === key);
    if (found.length !== 1) {
      const masterName = nodeNames.get(containerOf.get(master.id)!.name);
      throw new TargetDiscoveryError(`master ${masterName} has ${found.length} ${role}s in group ${key}…, expected 1`);
    }
    return found[0]!;
  };
  const replicas = masters.map((master) => replicaIn(master, servingKey, 'replica'));
  const standbys = masters.map((master) => replicaIn(master, standbyKey, 'standby'));
  const placed = new Set([...masters, ...replicas, ...standbys].map((entry) => entry.id));
  const strays = members.filter((entry) => !placed.has(entry.id));
  if (strays.length > 0) {
    throw new TargetDiscoveryError(
      `the cluster has members that are neither a master, its replica nor its standby: ${strays.map((entry) => nodeNames.get(containerOf.get(entry.id)!.name)).join(', ')}`,
    );
  }
  const inCluster = new Set([...containerOf.values()].map((container) => container.name));
  const outside = containers.filter((container) => !inCluster.has(container.name));
  const lost = outside.filter((container) => groupKey(container) === servingKey);
  if (lost.length > 0) {
    throw new TargetDiscoveryError(
      `containers of the serving group are not in the cluster: ${lost.map((container) => container.name).join(', ')}`,
    );
  }
  const spares = outside.sort((x, y) => nodeNames.get(x.name)!.localeCompare(nodeNames.get(y.name)!, 'en', { numeric: true }));
  const configFiles = new Set(containers.map((container) => container.clusterConfigFile));
  if (configFiles.size !== 1) {
    throw new TargetDiscoveryError(`the containers keep their cluster config in different files: ${[...configFiles].join(', ')}`);
  }
  const fromEntry = (entry: ClusterNodeEntry, group: GroupName) => node(containerOf.get(entry.id)!, group, entry.host);
  const serving = [...masters, ...replicas].map((entry) => fromEntry(entry, servingGroup));
  const standby = [...standbys.map((entry) => fromEntry(entry, standbyGroup)), ...spares.map((container) => node(container, standbyGroup))];
  const target: DrillTarget = {
    name,
    containerLabel: { ...containerLabel },
    clusterConfigFile: [...configFiles][0]!,
    groups: servingGroup === 'A' ? { A: serving, B: standby } : { A: standby, B: serving },
  };
  try {
    validateTarget(target);
  } catch (error) {
    throw new TargetDiscoveryError((error as Error).message);
  }
  const names = (nodes: readonly TargetNode[]) => nodes.map((each) => each.name);
  return {
    target,
    servingGroup,
    masters: names(serving.slice(0, masters.length)),
    replicas: names(serving.slice(masters.length)),
    standbys: names(standby.slice(0, masters.length)),
    spares: names(standby.slice(masters.length)),
  };
}

/** `a…` and `b…` keep their letters; any other pair serves from A. */
function groupNames(servingKey: string, standbyKey: string): [GroupName, GroupName] {
  const letter = (key: string) => key.slice(-1);
  return letter(servingKey) === 'b' && letter(standbyKey) === 'a' ? ['B', 'A'] : ['A', 'B'];
}

/** Each container's name without what all of them share at the start and the end. */
function shortNames(names: readonly string[]): Map<string, string> {
  const first = names[0]!;
  let prefix = first.length;
  let suffix = first.length;
  for (const other of names) {
    let start = 0;
    while (start < prefix && start < other.length && other[start] === first[start]) {
      start += 1;
    }
    prefix = start;
    let end = 0;
    while (end < suffix && end < other.length && other[other.length - 1 - end] === first[first.length - 1 - end]) {
      end += 1;
    }
    suffix = end;
  }
  // Cut only at separators, so that a common end such as the "1-1" of a1-1 and b1-1 keeps the 1.
  while (prefix > 0 && /[a-zA-Z0-9]/.test(first[prefix - 1]!)) {
    prefix -= 1;
  }
  while (suffix > 0 && /[a-zA-Z0-9]/.test(first[first.length - suffix]!)) {
    suffix -= 1;
  }
  return new Map(
    names.map((full) => {
      const shortened = names.length > 1 ? full.slice(prefix, full.length - suffix) : full;
      const name = shortened.toLowerCase().replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
      return [full, /^[a-z0-9][a-z0-9_.-]{0,31}$/.test(name) ? name : full.toLowerCase().slice(-32)];
    }),
  );
}
