import { targetNodes, type DrillTarget, type FailoverLayout, type TargetNode } from '../targets/drill-target.js';
import type { DrillOptions } from './drill-events.js';
import { SCENARIO_STEPS, SCENARIO_STANDBY, type ScenarioName, type StepName } from './scenarios.js';

/** One thing a drill would do: a Redis command sent to nodes, or an action on containers. */
export interface PlannedOperation {
  readonly step: StepName;
  /** What it does, in words. */
  readonly action: string;
  /** The Redis command, with `<id of x>` where a node id is only known once the drill runs. */
  readonly command?: string;
  /** The nodes a command goes to. */
  readonly nodes?: string[];
  /** The containers an action acts on. */
  readonly containers?: string[];
}

export interface DrillPlan {
  readonly scenario: ScenarioName;
  readonly target: string;
  /** The group that serves now and is killed, and the one that takes over. */
  readonly from: FailoverLayout['from'];
  readonly to: FailoverLayout['to'];
  readonly steps: StepName[];
  readonly operations: PlannedOperation[];
}

const names = (nodes: readonly TargetNode[]) => nodes.map((node) => node.name);
const containers = (nodes: readonly TargetNode[]) => nodes.map((node) => node.containerName);
const idOf = (node: TargetNode) => `<id of ${node.name}>`;
const MIGRATION = 'cluster-allow-replica-migration';

/**
 * The ordered operations a drill of this scenario would carry out on this target, failing over
 * from the group that serves now, in the order the steps send them. Computing it touches
 * nothing; the steps themselves skip what a resumed run finds already done.
 */
export function planDrill(
  target: DrillTarget,
  layout: FailoverLayout,
  scenario: ScenarioName,
  options: DrillOptions,
  canaryKeys: number,
): DrillPlan {
  const standby = SCENARIO_STANDBY[scenario];
  const { servingMasters, servingReplicas, standbys, spares } = layout;
  const serving = [...servingMasters, ...servingReplicas];
  const newGroup = [...standbys, ...spares];
  const shard = (index: number) => ({ master: servingMasters[index]!, standby: standbys[index]!, spare: spares[index]! });
  const shards = servingMasters.map((_, index) => shard(index));
  const migrationNodes = standby === 'prewired' ? newGroup : standbys;

  const byStep: Record<StepName, () => PlannedOperation[]> = {
    prepare: () => [
      {
        step: 'prepare',
        action: 'start any stopped container of the standby group with an empty cluster config',
        containers: containers(newGroup),
      },
      {
        step: 'prepare',
        action: 'read every node’s view of the cluster and check the starting layout',
        command: 'CLUSTER NODES',
        nodes: names(targetNodes(target)),
      },
      ...(standby === 'separate'
        ? []
        : [
            {
              step: 'prepare' as const,
              action: 'hold off replica migration while masters change (the old value is recorded and put back later)',
              command: `CONFIG SET ${MIGRATION} no`,
              nodes: names(migrationNodes),
            },
          ]),
      {
        step: 'prepare',
        action: `write ${canaryKeys} canary keys, one per slot`,
        command: 'SET drill:<id>:canary:<n> <value>',
        nodes: names(servingMasters),
      },
      ...(standby === 'separate'
        ? []
        : [
            {
              step: 'prepare' as const,
              action: 'wait until the standbys have replicated every canary',
              command: 'INFO replication',
              nodes: names([...servingMasters, ...standbys]),
            },
          ]),
    ],
    copy: () => [
      {
        step: 'copy',
        action: 'copy every key, with its expiry, into the standby cluster',
        command: 'SCAN, DUMP, PTTL',
        nodes: names(servingMasters),
      },
      {
        step: 'copy',
        action: 'write the copies on the standby cluster',
        command: 'RESTORE <key> <ttl> <dump> REPLACE',
        nodes: names(newGroup),
      },
    ],
    kill: () => [
      ...(options.planned
        ? [
            {
              step: 'kill' as const,
              action: 'hold client writes on the serving masters',
              command: 'CLIENT PAUSE <step timeout> WRITE',
              nodes: names(servingMasters),
            },
            {
              step: 'kill' as const,
              action: 'wait until each standby has caught up with its master',
              command: 'INFO replication',
              nodes: names([...servingMasters, ...standbys]),
            },
          ]
        : []),
      { step: 'kill', action: 'SIGKILL every container of the serving group at once', containers: containers(serving) },
    ],
    takeover: () => [
      ...shards.map(({ standby: node, master }) => ({
        step: 'takeover' as const,
        action: `promote ${node.name} in place of ${master.name} without waiting for a failure report`,
        command: 'CLUSTER FAILOVER TAKEOVER',
        nodes: [node.name],
      })),
      { step: 'takeover', action: 'wait until the new masters serve all 16384 slots', command: 'CLUSTER INFO', nodes: names(standbys) },
    ],
    forget: () => [
      { step: 'forget', action: 'wait until the killed nodes refuse connections', containers: containers(serving) },
      ...serving.map((node) => ({
        step: 'forget' as const,
        action: `forget ${node.name}`,
        command: `CLUSTER FORGET ${idOf(node)}`,
        nodes: names(standbys),
      })),
    ],
    meet: () => [
      ...spares.map((node) => ({
        step: 'meet' as const,
        action: `introduce ${node.name} to the new masters`,
        command: 'CLUSTER MEET 127.0.0.1 <port>',
        nodes: [node.name],
      })),
      { step: 'meet', action: 'wait until every node knows every other', command: 'CLUSTER NODES', nodes: names(newGroup) },
    ],
    replicate: () => [
      ...shards.map(({ spare, standby: master }) => ({
        step: 'replicate' as const,
        action: `make ${spare.name} a replica of ${master.name}`,
        command: `CLUSTER REPLICATE ${idOf(master)}`,
        nodes: [spare.name],
      })),
      {
        step: 'replicate',
        action: 'wait for every replica link to be up and in sync',
        command: 'INFO replication',
        nodes: names(newGroup),
      },
      {
        step: 'replicate',
        action: 'put back the recorded replica-migration settings',
        command: `CONFIG SET ${MIGRATION} <recorded value>`,
        nodes: names(migrationNodes),
      },
    ],
    verify: () => [
      { step: 'verify', action: 'check that the engine reports every killed container stopped', containers: containers(serving) },
      { step: 'verify', action: `read back the ${canaryKeys} canary keys`, command: 'GET drill:<id>:canary:<n>', nodes: names(newGroup) },
      {
        step: 'verify',
        action: 'health gate: all slots served, one replica per master in sync',
        command: 'CLUSTER INFO, CLUSTER NODES, INFO replication',
        nodes: names(newGroup),
      },
    ],
    failback: () => [
      { step: 'failback', action: `start the ${layout.from} group again with an empty cluster config`, containers: containers(serving) },
      {
        step: 'failback',
        action: 'hold off replica migration while masters change',
        command: `CONFIG SET ${MIGRATION} no`,
        nodes: names(targetNodes(target)),
      },
      ...serving.map((node) => ({
        step: 'failback' as const,
        action: `introduce ${node.name} to the serving cluster`,
        command: 'CLUSTER MEET 127.0.0.1 <port>',
        nodes: [node.name],
      })),
      ...shards.flatMap(({ master, standby: current }) => [
        {
          step: 'failback' as const,
          action: `make ${master.name} a replica of ${current.name}`,
          command: `CLUSTER REPLICATE ${idOf(current)}`,
          nodes: [master.name],
        },
        {
          step: 'failback' as const,
          action: `hand ${current.name}'s slots back to ${master.name} once it has caught up (TAKEOVER under paused writes if Redis refuses the election)`,
          command: 'CLUSTER FAILOVER',
          nodes: [master.name],
        },
      ]),
      ...[...servingReplicas, ...standbys].map((node, index) => {
        const master = servingMasters[index % servingMasters.length]!;
        return {
          step: 'failback' as const,
          action: `make ${node.name} a replica of ${master.name}`,
          command: `CLUSTER REPLICATE ${idOf(master)}`,
          nodes: [node.name],
        };
      }),
      {
        step: 'failback',
        action: 'put back the recorded replica-migration settings',
        command: `CONFIG SET ${MIGRATION} <recorded value>`,
        nodes: names(targetNodes(target)),
      },
      {
        step: 'failback',
        action: 'empty the spares and make them forget the cluster',
        command: 'FLUSHALL, CLUSTER RESET HARD',
        nodes: names(spares),
      },
      ...spares.map((node) => ({
        step: 'failback' as const,
        action: `forget ${node.name}`,
        command: `CLUSTER FORGET ${idOf(node)}`,
        nodes: names([...serving, ...standbys]),
      })),
      {
        step: 'failback',
        action: 'health gate, canaries and the starting topology, node by node',
        command: 'CLUSTER NODES, GET drill:<id>:canary:<n>',
        nodes: names(targetNodes(target)),
      },
    ],
  };
  const steps = [...SCENARIO_STEPS[scenario]];
  return { scenario, target: target.name, from: layout.from, to: layout.to, steps, operations: steps.flatMap((step) => byStep[step]()) };
}
