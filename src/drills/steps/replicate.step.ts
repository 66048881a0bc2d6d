import { pairedByShard } from '../../targets/drill-target.js';
import { migrationPausedOn, REPLICA_MIGRATION_SETTING, restoreReplicaMigration } from './replica-migration.js';
import { msSinceKill } from '../drill-state.js';
import type { DrillStep } from './step-context.js';
import { idOf, nodeNames, type StepDefinition } from './step-definition.js';

/**
 * Makes each spare a replica of one new master and waits until every one has synced and every
 * node knows the new roles: from then on the cluster can fail over on its own again.
 */
const run: DrillStep = async (context) => {
  const { layout, admin } = context;
  const pairs = pairedByShard(layout.spares, layout.standbys);
  const involved = await admin.startReplication(pairs, layout.standbys);
  await context.checkpoint('replicate:after-replicate');
  await admin.waitReplicated(pairs, involved);
  const ids = await Promise.all(layout.spares.map((node) => admin.myId(node)));
  const redundantAt = context.clock.now();
  // The new masters have their replicas: Redis may move replicas around again.
  const restored = await restoreReplicaMigration(context, [...layout.standbys, ...layout.spares]);
  return [
    ...pairs.map(({ replica, master }, index) => ({
      type: 'ReplicaAttached' as const,
      data: { node: replica.name, nodeId: ids[index]!, master: master.name },
    })),
    {
      type: 'ClusterRedundant',
      data: { killToRedundantMs: msSinceKill(context.state, redundantAt) },
    },
    ...restored,
  ];
};

export const replicate: StepDefinition<'replicate'> = {
  name: 'replicate',
  run,
  plan: ({ layout, standby }) => [
    ...pairedByShard(layout.spares, layout.standbys).map(({ replica: spare, master }) => ({
      action: `make ${spare.name} a replica of ${master.name}`,
      command: `CLUSTER REPLICATE ${idOf(master)}`,
      nodes: [spare.name],
    })),
    {
      action: 'wait for every replica link to be up and in sync',
      command: 'INFO replication',
      nodes: nodeNames([...layout.standbys, ...layout.spares]),
    },
    {
      action: 'put back the recorded replica-migration settings',
      command: `CONFIG SET ${REPLICA_MIGRATION_SETTING} <recorded value>`,
      nodes: nodeNames(migrationPausedOn(layout, standby)),
    },
  ],
};
