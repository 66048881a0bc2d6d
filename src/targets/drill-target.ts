import type { NamedNode } from '../cluster/node-snapshot.js';

export type GroupName = 'A' | 'B';

export interface TargetNode extends NamedNode {
  readonly group: GroupName;
  readonly containerName: string;
  /** The name of the Docker engine, among the target's `engines`, that runs its container; the service's own engine when unset. */
  readonly engine?: string;
}

/** The replicas per master a target may have; 1 unless it says otherwise. */
export const REPLICAS_PER_MASTER = [1, 2] as const;

/**
 * Where a Docker engine answers, as dockerode takes it: a Unix socket, or a TCP address with the
 * files of the TLS client certificate the engine asks for.
 */
export type DockerEngineSpec =
  | { readonly socketPath: string }
  | { readonly host: string; readonly port: number; readonly ca: string; readonly cert: string; readonly key: string };

/** How an engine is named in messages: its socket or its `tcp://host:port`, never its key. */
export const engineLocation = (spec: DockerEngineSpec): string =>
  'socketPath' in spec ? `unix://${spec.socketPath}` : `tcp://${spec.host}:${spec.port}`;

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
  /** The Docker engines the nodes name, besides the service's own. */
  readonly engines?: Readonly<Record<string, DockerEngineSpec>>;
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
    if (node.engine !== undefined && !target.engines?.[node.engine]) {
      throw new Error(`target ${target.name}: node ${node.name} names the engine ${node.engine}, which the target does not list`);
    }
    const container = node.engine === undefined ? node.containerName : `${node.containerName} on engine ${node.engine}`;
    for (const key of [`name:${node.name}`, `address:${node.host}:${node.port}`, `container:${container}`]) {
      if (seen.has(key)) {
        throw new Error(`target ${target.name}: ${key.replace(':', ' ')} appears twice`);
      }
      seen.add(key);
    }
  }
}
