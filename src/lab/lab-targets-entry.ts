import type { DrillTarget, TargetNode } from '../targets/drill-target.js';
import { LAB_HOST, labTarget, type LabSettings } from './lab-topology.js';

/** A node as a targets file names it; `host` is 127.0.0.1 when left out. */
export interface TargetsFileNode {
  readonly name: string;
  readonly host?: string;
  readonly port: number;
  readonly containerName: string;
}

/** A target as a targets file names it. */
export interface TargetsFileEntry {
  readonly name: string;
  readonly replicasPerMaster?: number;
  readonly containerLabel: { readonly key: string; readonly value: string };
  readonly clusterConfigFile: string;
  readonly groups: { readonly A: readonly TargetsFileNode[]; readonly B: readonly TargetsFileNode[] };
}

/** A target with no credentials, TLS or other engines as an entry of `TARGETS_FILE`. */
export function targetsFileEntry(target: DrillTarget): TargetsFileEntry {
  const node = ({ name, host, port, containerName }: TargetNode): TargetsFileNode => ({
    name,
    ...(host === LAB_HOST ? {} : { host }),
    port,
    containerName,
  });
  return {
    name: target.name,
    ...(target.replicasPerMaster === undefined ? {} : { replicasPerMaster: target.replicasPerMaster }),
    containerLabel: target.containerLabel,
    clusterConfigFile: target.clusterConfigFile,
    groups: { A: target.groups.A.map(node), B: target.groups.B.map(node) },
  };
}

/**
 * A lab as an entry of `TARGETS_FILE`, under a name of its own: how several labs become several
 * targets of one service (the several-instance test).
 */
export function labTargetsEntry(settings: LabSettings, targetName: string): TargetsFileEntry {
  return targetsFileEntry(labTarget(settings, targetName));
}
