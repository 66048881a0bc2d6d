import type { StandbyLayout } from '../../cluster/standby-group.js';
import type { DrillTarget, FailoverLayout, TargetNode } from '../../targets/drill-target.js';
import type { DrillOptions } from '../drill-events.js';
import type { StepName } from '../scenarios.js';
import type { DrillStep } from './step-context.js';

/** What a dry run knows when it plans a step: the target, the failover it would make, and the request. */
export interface PlanContext {
  readonly target: DrillTarget;
  readonly layout: FailoverLayout;
  /** How the scenario wants the standby group before the kill. */
  readonly standby: StandbyLayout;
  readonly options: DrillOptions;
  readonly canaryKeys: number;
}

/** One thing a step would do: a Redis command sent to nodes, or an action on containers. */
export interface StepOperation {
  /** What it does, in words. */
  readonly action: string;
  /** The Redis command, with `<id of x>` where a node id is only known once the drill runs. */
  readonly command?: string;
  /** The nodes a command goes to. */
  readonly nodes?: string[];
  /** The containers an action acts on. */
  readonly containers?: string[];
}

/**
 * A step, in one place: what it does when the drill runs, and what it says it would do in a dry
 * run. Planning touches nothing, so it lists every operation the step may send; the step itself
 * skips what a resumed run finds already done.
 */
export interface StepDefinition<Name extends StepName = StepName> {
  readonly name: Name;
  readonly run: DrillStep;
  readonly plan: (context: PlanContext) => StepOperation[];
}

export const nodeNames = (nodes: readonly TargetNode[]): string[] => nodes.map((node) => node.name);
export const containerNames = (nodes: readonly TargetNode[]): string[] => nodes.map((node) => node.containerName);
/**
 * On a target with credentials: nodes started afresh are given them for their replication link.
 * The plan names where the password comes from, never the password.
 */
export function replicationAuthOperations(target: DrillTarget, nodes: readonly TargetNode[]): StepOperation[] {
  if (!target.auth) {
    return [];
  }
  const { username, passwordEnv, passwordFile } = target.auth;
  const from = passwordEnv !== undefined ? `$${passwordEnv}` : `the file ${passwordFile}`;
  return [
    {
      action: `give the started nodes the target's credentials for replication (the password from ${from})`,
      command: `${username !== undefined ? `CONFIG SET masteruser ${username}, ` : ''}CONFIG SET masterauth <password>`,
      nodes: nodeNames(nodes),
    },
  ];
}

/** A node id as a dry run writes it: only the running drill learns the real one. */
export const idOf = (node: TargetNode): string => `<id of ${node.name}>`;
