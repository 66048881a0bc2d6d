import type { StandbyLayout } from '../../cluster/standby-group.js';
import type { FailoverLayout, TargetNode } from '../../targets/drill-target.js';
import type { DrillEvent } from '../drill-events.js';
import type { StepContext } from './step-context.js';

export const REPLICA_MIGRATION_SETTING = 'cluster-allow-replica-migration';

/** The nodes `prepare` holds replica migration off on: the standbys, and the spares too when they already replicate them. */
export function migrationPausedOn(layout: FailoverLayout, standby: StandbyLayout): TargetNode[] {
  return standby === 'prewired' ? [...layout.standbys, ...layout.spares] : [...layout.standbys];
}

/**
 * Holds off Redis's replica migration on these nodes for the part of the drill where masters
 * change. Right after a kill the dead masters still look healthy with two replicas each, so a
 * standby may migrate to a master promoted a moment earlier (seen: "Migrating to orphaned
 * master"), resync from it, and then take over that master's slots instead of its own shard's.
 * The previous settings are on record before any is changed, so that a run resumed after a
 * crash puts back the original values, not its own.
 */
export async function pauseReplicaMigration(context: StepContext, nodes: readonly TargetNode[]): Promise<void> {
  const paused = context.state.migrationPaused ?? {};
  const fresh = nodes.filter((node) => paused[node.name] === undefined);
  if (fresh.length > 0) {
    const previous = await Promise.all(
      fresh.map(async (node) => [node.name, (await context.admin.configGet(node, REPLICA_MIGRATION_SETTING)) ?? 'yes'] as const),
    );
    await context.record({ type: 'ReplicaMigrationPaused', data: { previous: Object.fromEntries(previous) } });
  }
  await Promise.all(nodes.map((node) => context.admin.configSet(node, REPLICA_MIGRATION_SETTING, 'no')));
}

/** Puts back the settings `pauseReplicaMigration` changed on these nodes; the event to record, if any. */
export async function restoreReplicaMigration(context: StepContext, nodes: readonly TargetNode[]): Promise<DrillEvent[]> {
  const paused = context.state.migrationPaused ?? {};
  const restored = nodes.filter((node) => paused[node.name] !== undefined);
  await Promise.all(restored.map((node) => context.admin.configSet(node, REPLICA_MIGRATION_SETTING, paused[node.name]!)));
  return restored.length > 0 ? [{ type: 'ReplicaMigrationRestored', data: { nodes: restored.map((node) => node.name) } }] : [];
}
