import { labTarget, type LabSettings } from './lab-topology.js';

/** A node as a targets file names it. */
export interface TargetsFileNode {
  readonly name: string;
  readonly port: number;
  readonly containerName: string;
}

/** A lab as a targets file names it. */
export interface TargetsFileEntry {
  readonly name: string;
  readonly replicasPerMaster?: number;
  readonly containerLabel: { readonly key: string; readonly value: string };
  readonly clusterConfigFile: string;
  readonly groups: { readonly A: readonly TargetsFileNode[]; readonly B: readonly TargetsFileNode[] };
}

/**
 * A lab as an entry of `TARGETS_FILE`, under a name of its own: how several labs become several
 * targets of one service (the several-instance test and `make demo-ha`).
 */
export function labTargetsEntry(settings: LabSettings, targetName: string): TargetsFileEntry {
  const target = labTarget(settings, targetName);
  const node = ({ name, port, containerName }: TargetsFileNode): TargetsFileNode => ({ name, port, containerName });
  return {
    name: target.name,
    ...(target.replicasPerMaster === undefined ? {} : { replicasPerMaster: target.replicasPerMaster }),
    containerLabel: target.containerLabel,
    clusterConfigFile: target.clusterConfigFile,
    groups: { A: target.groups.A.map(node), B: target.groups.B.map(node) },
  };
}
