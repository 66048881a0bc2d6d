import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import type { Clock } from '../common/clock.js';
import type { Docker } from '../docker/docker-engine.js';
import type { EventStore } from '../events/event-store.js';
import { DockerNodeControl } from '../nodes/docker-node-control.js';
import type { TargetRegistry } from '../targets/target-registry.js';
import { DrillRunner } from './drill-runner.js';
import type { DrillSettings } from './steps/step-context.js';
import { GROUP_FAILOVER_STEPS } from './steps/group-failover.steps.js';

export const DEFAULT_DRILL_SETTINGS: DrillSettings = {
  canaryKeys: 16_384,
  maxReplicaLagBytes: 64 * 1024,
  readinessTimeoutMs: 5_000,
};

/** The drill runner as the service runs it: group-failover steps, nodes controlled through Docker. */
export function createDrillRunner(parts: {
  store: EventStore;
  targets: TargetRegistry;
  admin: ClusterAdmin;
  keyspace: ClusterKeyspace;
  docker: Docker;
  clock: Clock;
  settings?: Partial<DrillSettings>;
}): DrillRunner {
  return new DrillRunner({
    store: parts.store,
    targets: parts.targets,
    admin: parts.admin,
    keyspace: parts.keyspace,
    nodeControlFor: (target) => new DockerNodeControl(parts.docker, target),
    clock: parts.clock,
    settings: { ...DEFAULT_DRILL_SETTINGS, ...parts.settings },
    steps: GROUP_FAILOVER_STEPS,
  });
}
