import { pairedByShard, type FailoverLayout } from '../targets/drill-target.js';
import type { ClusterAdmin } from './cluster-admin.js';

/**
 * How the standby group stands before a failover:
 * - `attached`: the standbys replicate the serving masters, the spares are empty nodes;
 * - `prewired`: the same, and each spare replicates a standby;
 * - `separate`: the standby group is a cluster of its own.
 */
export type StandbyLayout = 'attached' | 'prewired' | 'separate';

/**
 * Forms a standby group of empty nodes into the given layout beside a serving cluster. For
 * `prewired`, each spare is attached under its standby while the standby is still an empty
 * master: Redis refuses `CLUSTER REPLICATE` of a node that is already a replica.
 */
export async function formStandbyGroup(admin: ClusterAdmin, layout: FailoverLayout, standby: StandbyLayout): Promise<void> {
  const group = [...layout.standbys, ...layout.spares];
  if (standby === 'separate') {
    await admin.createCluster(layout.standbys, layout.spares);
    return;
  }
  if (standby === 'prewired') {
    await admin.meet(layout.spares, layout.standbys);
    await admin.replicate(pairedByShard(layout.spares, layout.standbys), group);
  }
  const serving = [...layout.servingMasters, ...layout.servingReplicas];
  await admin.meet(standby === 'prewired' ? group : layout.standbys, serving);
  await admin.replicate(pairedByShard(layout.standbys, layout.servingMasters), serving);
}
