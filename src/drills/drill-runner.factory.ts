import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import type { Clock } from '../common/clock.js';
import type { Docker } from '../docker/docker-engine.js';
import type { EventStore } from '../events/event-store.js';
import { DockerNodeControl } from '../nodes/docker-node-control.js';
import type { TargetRegistry } from '../targets/target-registry.js';
import type { CrashPoints } from './crash-points.js';
import type { DrillLocks } from './drill-locks.js';
import { DrillRunner, type DrillRunnerDependencies } from './drill-runner.js';
import { LiveProbe } from '../probe/live-probe.js';
import { targetNodes } from '../targets/drill-target.js';
import type { ProbeFactory } from './probe-window.js';
import type { DrillSettings, StepRegistry } from './steps/step-context.js';
import { DRILL_STEPS } from './steps/drill-steps.js';

/** A probe write with no answer after this long counts as unknown. */
const PROBE_WRITE_TIMEOUT_MS = 2_000;

export const DEFAULT_DRILL_SETTINGS: DrillSettings = {
  canaryKeys: 16_384,
  maxReplicaLagBytes: 64 * 1024,
  readinessTimeoutMs: 5_000,
  stepTimeoutMs: 120_000,
  stepRetries: 2,
  retryBaseMs: 250,
};

/** The drill runner as the service runs it: group-failover steps, nodes controlled through Docker. */
export function createDrillRunner(parts: {
  store: EventStore;
  targets: TargetRegistry;
  admin: ClusterAdmin;
  keyspace: ClusterKeyspace;
  docker: Docker;
  clock: Clock;
  locks: DrillLocks;
  worker: string;
  settings?: Partial<DrillSettings>;
  crashPoints?: CrashPoints;
  /** The drill steps unless given; tests wrap them to act between two steps. */
  steps?: StepRegistry;
  halt?: DrillRunnerDependencies['halt'];
}): DrillRunner {
  const probes: ProbeFactory = (target, slots, runId, writesPerSecond) =>
    new LiveProbe(
      targetNodes(target),
      slots,
      runId,
      { writesPerSecond, writeTimeoutMs: PROBE_WRITE_TIMEOUT_MS },
      parts.clock,
      parts.targets.security(target.name),
    );
  return new DrillRunner({
    store: parts.store,
    targets: parts.targets,
    admin: parts.admin,
    keyspace: parts.keyspace,
    nodeControlFor: (target) => new DockerNodeControl(parts.docker, target),
    clock: parts.clock,
    settings: { ...DEFAULT_DRILL_SETTINGS, ...parts.settings },
    steps: parts.steps ?? DRILL_STEPS,
    locks: parts.locks,
    probes,
    worker: parts.worker,
    ...(parts.crashPoints ? { crashPoints: parts.crashPoints } : {}),
    ...(parts.halt ? { halt: parts.halt } : {}),
  });
}
