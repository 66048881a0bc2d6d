import { REPLICAS_PER_MASTER, type DrillTarget, type GroupName, type TargetNode } from '../targets/drill-target.js';

export const LAB_LABEL = 'io.redis-drill.lab';
export const LAB_ROLE_LABEL = 'io.redis-drill.role';
export const LAB_PORT_LABEL = 'io.redis-drill.port';

export interface LabSettings {
  /** Prefix of every container name and value of the lab label; several labs can live side by side. */
  readonly name: string;
  /** The queue Redis listens here, group A on the next ports, group B from the next multiple of ten plus one (base + 11 for 3×1). */
  readonly basePort: number;
  /** Masters in group A, standbys in group B: 1 to 16 (3 unless given). */
  readonly shards?: number;
  /** Replicas per master in group A, spares per standby in group B: 1 or 2 (1 unless given). */
  readonly replicasPerMaster?: number;
  /** Cluster nodes with ACL users and/or TLS only; plain TCP with no AUTH without it. The queue Redis stays plain. */
  readonly security?: LabSecurity;
}

export interface LabSecurity {
  /**
   * Each user as the words of a `user` directive (`['drill', 'on', '>secret', '~redis-drill:*', '+ping']`).
   * With users given, the default user is turned off.
   */
  readonly users?: readonly (readonly string[])[];
  /**
   * A host directory holding `ca.crt`, `node.crt` and `node.key` (PEM), mounted read-only into every
   * node: the nodes then serve TLS only, on their port, with the cluster bus and replication over TLS
   * too, and take only clients with a certificate the CA signed.
   */
  readonly tlsDirectory?: string;
}

/** Where a lab node finds the files of `LabSecurity.tlsDirectory`. */
export const LAB_TLS_DIR = '/tls';

export const LAB_MAX_SHARDS = 16;

export interface LabContainer {
  readonly containerName: string;
  readonly port: number;
  readonly role: 'node' | 'queue';
  readonly node?: TargetNode;
}

export const LAB_HOST = '127.0.0.1';
/** The working directory of both the official image and the one built from the host. */
export const LAB_DATA_DIR = '/data';
export const LAB_CLUSTER_CONFIG_FILE = 'nodes.conf';

/** The lab's shape: the seed's three shards with one replica each unless the settings say otherwise. */
export function labShape(settings: LabSettings): { shards: number; replicasPerMaster: number; groupSize: number } {
  const shards = settings.shards ?? 3;
  const replicasPerMaster = settings.replicasPerMaster ?? 1;
  return { shards, replicasPerMaster, groupSize: shards * (1 + replicasPerMaster) };
}

/** Group A right above the queue's port; group B from the next round ten, so that b1 is base + 11 in the seed's shape. */
function groupOffsets(settings: LabSettings): Record<GroupName, number> {
  return { A: 1, B: 1 + 10 * Math.ceil(labShape(settings).groupSize / 10) };
}

/**
 * The lab's nodes plus the queue's Redis; ports and names only. Each group lists its masters
 * first, then their replicas round by round: in the seed's shape, a1–a6 and b1–b6.
 */
export function labContainers(settings: LabSettings): LabContainer[] {
  const offsets = groupOffsets(settings);
  const nodes = (['A', 'B'] as const).flatMap((group) =>
    Array.from({ length: labShape(settings).groupSize }, (_, index): LabContainer => {
      const name = `${group.toLowerCase()}${index + 1}`;
      const port = settings.basePort + offsets[group] + index;
      const containerName = `${settings.name}-${name}`;
      return { containerName, port, role: 'node', node: { name, group, host: LAB_HOST, port, containerName } };
    }),
  );
  return [{ containerName: `${settings.name}-queue`, port: settings.basePort, role: 'queue' }, ...nodes];
}

export function labTarget(settings: LabSettings, targetName = 'lab'): DrillTarget {
  const nodes = labContainers(settings).flatMap((container) => (container.node ? [container.node] : []));
  return {
    name: targetName,
    replicasPerMaster: labShape(settings).replicasPerMaster,
    containerLabel: { key: LAB_LABEL, value: settings.name },
    clusterConfigFile: `${LAB_DATA_DIR}/${LAB_CLUSTER_CONFIG_FILE}`,
    groups: {
      A: nodes.filter((node) => node.group === 'A'),
      B: nodes.filter((node) => node.group === 'B'),
    },
  };
}

export function labQueueUrl(settings: LabSettings): string {
  return `redis://${LAB_HOST}:${settings.basePort}`;
}

/** Why a lab name is unusable in container names and labels, if it is. */
export function labNameProblem(name: string): string | undefined {
  return /^[a-z0-9][a-z0-9_.-]{0,40}$/.test(name)
    ? undefined
    : `lab name ${JSON.stringify(name)} must be 1–41 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`;
}

/** Why a lab shape is unusable, if it is. */
export function labShapeProblem(settings: Pick<LabSettings, 'shards' | 'replicasPerMaster'>): string | undefined {
  const { shards, replicasPerMaster } = labShape({ name: '', basePort: 0, ...settings });
  if (!Number.isInteger(shards) || shards < 1 || shards > LAB_MAX_SHARDS) {
    return `lab shards ${shards} must be an integer from 1 to ${LAB_MAX_SHARDS}`;
  }
  if (!(REPLICAS_PER_MASTER as readonly number[]).includes(replicasPerMaster)) {
    return `lab replicas per master ${replicasPerMaster} must be ${REPLICAS_PER_MASTER.join(' or ')}`;
  }
  return undefined;
}

/** Why a base port is unusable, if it is: every node port and its cluster bus port (+10000) must fit. */
export function basePortProblem(basePort: number, shape: Pick<LabSettings, 'shards' | 'replicasPerMaster'> = {}): string | undefined {
  const settings = { name: '', basePort, ...shape };
  const highestBase = 65535 - 10000 - groupOffsets(settings).B - labShape(settings).groupSize + 1;
  return Number.isInteger(basePort) && basePort >= 1024 && basePort <= highestBase
    ? undefined
    : `lab base port ${basePort} must be an integer from 1024 to ${highestBase}`;
}

export function validateLabSettings(settings: LabSettings): void {
  const problem = labNameProblem(settings.name) ?? labShapeProblem(settings) ?? basePortProblem(settings.basePort, settings);
  if (problem) {
    throw new Error(problem);
  }
}
