import { formatSlots } from '../../cluster/cluster-nodes.parser.js';
import { selfEntry } from '../../cluster/node-snapshot.js';
import { untilReady } from './until-ready.js';
import { targetNodes } from '../../targets/drill-target.js';
import { canaries } from '../canaries.js';
import type { RecordedNode } from '../drill-events.js';
import { containerProblems, readinessProblems } from '../readiness.js';
import { SCENARIO_STANDBY } from '../scenarios.js';
import { positionStandbyGroup, servingLayout } from './group-restore.js';
import { migrationPausedOn, pauseReplicaMigration, REPLICA_MIGRATION_SETTING } from './replica-migration.js';
import { serverProblems, serversOf } from '../server-support.js';
import { elapsedSince, type DrillStep, type StepContext } from './step-context.js';
import { containerNames, nodeNames, replicationAuthOperations, type StepDefinition } from './step-definition.js';
import { containerChecks, PREFLIGHT_CHECKS, PreflightFailedError } from '../preflight.js';
import { accessChecks } from '../drill-permissions.js';

/**
 * Finds the group that serves now (the drill fails over from it to the other one), brings the
 * standby group back if an earlier drill left it stopped, then checks that the target is in the
 * starting layout, records every node's id, writes the canary
 * keys and waits until the standbys hold them. Its events go out together at its end, so that a
 * run cut short and run again records them once. Touches no container but a stopped standby
 * group's, and those only once the serving group is healthy. A cluster that is still
 * settling (a replica catching up, a state change not yet gossiped) gets a few seconds to become
 * ready; after that the drill is refused with everything that was still wrong. Before any of it,
 * the container engine must answer, every container of the target carry its label, and every
 * node that answers accept the target's credentials and let its user run what the drill sends.
 */
const run: DrillStep = async (context) => {
  const { admin } = context;
  const containersFailed = await containerChecks(context.target, context.nodes);
  if (containersFailed.length > 0) {
    throw new PreflightFailedError(containersFailed);
  }
  await checkServers(context);
  const accessFailed = await accessChecks(admin, context.target, context.state.scenario, context.target.auth?.username ?? 'default');
  if (accessFailed.length > 0) {
    throw new PreflightFailedError(accessFailed);
  }
  const layout = (await servingLayout(admin, context.target)) ?? context.layout;
  const standby = SCENARIO_STANDBY[context.state.scenario];
  const restored = await positionStandbyGroup(context, layout, standby);
  const nodes = targetNodes(context.target);
  const snapshots = await untilReady(context, 'the target to be ready', async () => {
    const [containers, looks] = await Promise.all([
      Promise.all(nodes.map(async (node) => ({ node, state: await context.nodes.inspect(node) }))),
      admin.snapshots(nodes),
    ]);
    const problems = [...containerProblems(containers), ...readinessProblems(layout, looks, context.settings.maxReplicaLagBytes, standby)];
    return { problems, value: looks };
  });

  const names = new Map<string, string>();
  const recorded = snapshots.map((snapshot) => {
    if (!snapshot.reachable) {
      throw new Error(snapshot.error);
    }
    const self = selfEntry(snapshot);
    names.set(self.id, snapshot.node.name);
    return { node: nodes.find((node) => node.name === snapshot.node.name)!, self };
  });
  const topology: RecordedNode[] = recorded.map(({ node, self }) => ({
    name: node.name,
    group: node.group,
    nodeId: self.id,
    role: self.role,
    ...(self.masterId && names.has(self.masterId) ? { replicates: names.get(self.masterId)! } : {}),
    ...(self.slots.length > 0 ? { slots: formatSlots(self.slots) } : {}),
  }));

  if (standby !== 'separate') {
    await pauseReplicaMigration(context, migrationPausedOn(layout, standby));
  }

  const writing = context.clock.now();
  const keys = canaries(context.drillId, context.settings.canaryKeys);
  await context.keyspace.write(layout.servingMasters, keys);
  const written = elapsedSince(context.clock, writing);
  await context.checkpoint('prepare:after-canaries');

  // The standbys must hold every canary before the kill; a separate cluster gets them by the copy step.
  if (standby === 'separate') {
    return [
      ...restored,
      { type: 'PreflightPassed', data: { checks: [...PREFLIGHT_CHECKS] } },
      { type: 'TopologyRecorded', data: { from: layout.from, to: layout.to, nodes: topology } },
      { type: 'CanariesWritten', data: { keys: keys.length, tookMs: written } },
    ];
  }
  const syncing = context.clock.now();
  const masterByStandby = layout.standbys.map((node) => {
    const masterName = topology.find((recorded) => recorded.name === node.name)?.replicates;
    return { replica: node, master: layout.servingMasters.find((master) => master.name === masterName)! };
  });
  await admin.waitCaughtUp(masterByStandby);
  // Open the standbys' connections now so that the takeover, straight after the kill, does not wait for them.
  await admin.warm(layout.standbys);
  return [
    ...restored,
    { type: 'PreflightPassed', data: { checks: [...PREFLIGHT_CHECKS] } },
    { type: 'TopologyRecorded', data: { from: layout.from, to: layout.to, nodes: topology } },
    { type: 'CanariesWritten', data: { keys: keys.length, tookMs: written } },
    { type: 'StandbysInSync', data: { standbys: layout.standbys.map((node) => node.name), tookMs: elapsedSince(context.clock, syncing) } },
  ];
};

/**
 * Records what every node that answers runs, once per drill and before anything is touched, so
 * that even a refused drill says what it found; refuses servers the drills do not work on.
 */
async function checkServers(context: StepContext): Promise<void> {
  let servers = context.state.servers;
  if (!servers) {
    const identities = await Promise.all(
      targetNodes(context.target).map(async (node) => {
        try {
          return [{ node: node.name, identity: await context.admin.serverIdentity(node) }];
        } catch {
          // A node of a stopped standby group: it ran what the others run when it stopped.
          return [];
        }
      }),
    );
    const found = serversOf(identities.flat());
    await context.record({ type: 'ServersIdentified', data: { servers: found } });
    servers = found;
  }
  const problems = serverProblems(servers, context.state.scenario);
  if (problems.length > 0) {
    throw new PreflightFailedError([{ check: 'server-supported', problem: problems.join('; ') }]);
  }
}

export const prepare: StepDefinition<'prepare'> = {
  name: 'prepare',
  run,
  plan: ({ target, layout, standby, canaryKeys }) => [
    {
      action: 'start any stopped container of the standby group with an empty cluster config',
      containers: containerNames([...layout.standbys, ...layout.spares]),
    },
    ...replicationAuthOperations(target, [...layout.standbys, ...layout.spares]),
    {
      action: 'read which server and version every node runs, and refuse a server the drills do not work on',
      command: 'INFO server',
      nodes: nodeNames(targetNodes(target)),
    },
    {
      action: 'read every node’s view of the cluster and check the starting layout',
      command: 'CLUSTER NODES',
      nodes: nodeNames(targetNodes(target)),
    },
    ...(standby === 'separate'
      ? []
      : [
          {
            action: 'hold off replica migration while masters change (the old value is recorded and put back later)',
            command: `CONFIG SET ${REPLICA_MIGRATION_SETTING} no`,
            nodes: nodeNames(migrationPausedOn(layout, standby)),
          },
        ]),
    {
      action: `write ${canaryKeys} canary keys, one per slot`,
      command: 'SET drill:<id>:canary:<n> <value>',
      nodes: nodeNames(layout.servingMasters),
    },
    ...(standby === 'separate'
      ? []
      : [
          {
            action: 'wait until the standbys have replicated every canary',
            command: 'INFO replication',
            nodes: nodeNames([...layout.servingMasters, ...layout.standbys]),
          },
        ]),
  ],
};
