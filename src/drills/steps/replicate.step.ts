import { restoreReplicaMigration } from './replica-migration.js';
import type { DrillStep } from './step-context.js';

/**
 * Makes each spare a replica of one new master and waits until every one has synced and every
 * node knows the new roles: from then on the cluster can fail over on its own again.
 */
export const replicate: DrillStep = async (context) => {
  const { layout, admin } = context;
  const pairs = layout.spares.map((replica, index) => ({ replica, master: layout.standbys[index]! }));
  const involved = await admin.startReplication(pairs, layout.standbys);
  await context.checkpoint('replicate:after-replicate');
  await admin.waitReplicated(pairs, involved);
  const ids = await Promise.all(layout.spares.map((node) => admin.myId(node)));
  const killStartedAt = context.state.killStartedAt;
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
      data: { killToRedundantMs: killStartedAt ? Math.round((redundantAt - Date.parse(killStartedAt)) * 100) / 100 : -1 },
    },
    ...restored,
  ];
};
