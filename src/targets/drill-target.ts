import type { NamedNode } from '../cluster/node-snapshot.js';

export type GroupName = 'A' | 'B';

/** The only hosts a node may be on: node control reaches containers through the local Docker engine. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export interface TargetNode extends NamedNode {
  readonly group: GroupName;
  readonly containerName: string;
}

/** The replicas per master a target may have; 1 unless it says otherwise. */
export const REPLICAS_PER_MASTER = [1, 2] as const;

/**
 * A primary cluster and its standby group: what a drill may act on, and nothing else.
 * Each group lists its shards' masters first, then their replicas, in shard order; with two
 * replicas per master, every shard's first replica, then every shard's second.
 */
export interface DrillTarget {
  readonly name: string;
  /** Replicas of each master in the serving group, and spares per standby in the other: 1 (the default) or 2. */
  readonly replicasPerMaster?: number;
  /** Every container of this target carries this label; node control refuses any that does not. */
  readonly containerLabel: { readonly key: string; readonly value: string };
  readonly groups: Readonly<Record<GroupName, readonly TargetNode[]>>;
  /**
   * Absolute path of the nodes' cluster config file inside their containers. Truncating it
   * while a node is stopped makes the node start as a new, empty cluster member.
   */
  readonly clusterConfigFile: string;
  /** How the service authenticates to the nodes; the password stays where this points. */
  readonly auth?: TargetAuth;
  /** The files of the service's TLS connections to the nodes; without it, plain TCP. */
  readonly tls?: TargetTls;
}

/** An ACL user (or the default user) and where its password is: one environment variable or one file. */
export interface TargetAuth {
  readonly username?: string;
  readonly passwordEnv?: string;
  readonly passwordFile?: string;
}

/** PEM files: the CA that signed the nodes' certificates, and the service's client certificate and key. */
export interface TargetTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Who does what when the cluster fails over from one group to the other: the serving group's
 * masters and replicas, the standby nodes that replicate those masters and will take over, and
 * the spares that will become the new masters' replicas.
 */
export interface FailoverLayout {
  readonly from: GroupName;
  readonly to: GroupName;
  readonly servingMasters: readonly TargetNode[];
  readonly servingReplicas: readonly TargetNode[];
  readonly standbys: readonly TargetNode[];
  readonly spares: readonly TargetNode[];
  /** Replicas each serving master has, and spares each standby gets after the failover. */
  readonly replicasPerMaster: number;
}

export function failoverLayout(target: DrillTarget, from: GroupName): FailoverLayout {
  const to: GroupName = from === 'A' ? 'B' : 'A';
  const serving = target.groups[from];
  const standby = target.groups[to];
  const replicasPerMaster = target.replicasPerMaster ?? 1;
  const shards = serving.length / (1 + replicasPerMaster);
  return {
    from,
    to,
    servingMasters: serving.slice(0, shards),
    servingReplicas: serving.slice(shards),
    standbys: standby.slice(0, shards),
    spares: standby.slice(shards),
    replicasPerMaster,
  };
}

/** The i-th of `followers` (replicas or spares, listed round by round) paired with the shard it belongs to. */
export function pairedByShard<T>(followers: readonly T[], leaders: readonly T[]): { replica: T; master: T }[] {
  return followers.map((replica, index) => ({ replica, master: leaders[index % leaders.length]! }));
}

export function targetNodes(target: DrillTarget): TargetNode[] {
  return [...target.groups.A, ...target.groups.B];
}

/** Checks the shape a drill relies on; the message names the first thing that is wrong. */
export function validateTarget(target: DrillTarget): void {
  const a = target.groups.A;
  const b = target.groups.B;
  const replicas = target.replicasPerMaster ?? 1;
  if (!(REPLICAS_PER_MASTER as readonly number[]).includes(replicas)) {
    throw new Error(`target ${target.name}: replicasPerMaster must be 1 or 2, got ${replicas}`);
  }
  if (a.length === 0 || a.length % (1 + replicas) !== 0) {
    const shape = replicas === 1 ? 'one replica (an even, non-zero count)' : 'two replicas (a non-zero multiple of three)';
    throw new Error(`target ${target.name}: group A must list each shard's master and ${shape}, got ${a.length}`);
  }
  if (b.length !== a.length) {
    throw new Error(`target ${target.name}: group B must have as many nodes as group A (${a.length}), got ${b.length}`);
  }
  const seen = new Set<string>();
  for (const node of targetNodes(target)) {
    if (!LOOPBACK_HOSTS.includes(node.host)) {
      throw new Error(`target ${target.name}: node ${node.name} is at ${node.host}; only loopback addresses are allowed`);
    }
    for (const key of [`name:${node.name}`, `address:${node.host}:${node.port}`, `container:${node.containerName}`]) {
      if (seen.has(key)) {
        throw new Error(`target ${target.name}: ${key.replace(':', ' ')} appears twice`);
      }
      seen.add(key);
    }
  }
}
