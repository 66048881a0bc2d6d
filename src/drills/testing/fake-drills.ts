import type { DataSource } from 'typeorm';
import type { ClusterAdmin } from '../../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../../cluster/cluster-keyspace.js';
import type { Clock } from '../../common/clock.js';
import { openDataSource, type DatabaseSettings } from '../../database/data-source.js';
import { type EventStore } from '../../events/event-store.js';
import { labTarget } from '../../lab/lab-topology.js';
import type { NodeControl } from '../../nodes/node-control.js';
import { TargetRegistry } from '../../targets/target-registry.js';
import type { DrillEvent, DrillTrigger } from '../drill-events.js';
import { STEP_NAMES, type StepName } from '../scenarios.js';
import { DrillRunner } from '../drill-runner.js';
import { DrillStream } from '../drill-stream.js';
import { drillEventStore } from '../drill-event-store.js';
import type { DrillSettings, StepRegistry } from '../steps/step-context.js';
import { UNCOORDINATED, type DrillLocks } from '../drill-locks.js';
import type { ProbeFactory } from '../probe-window.js';
import type { ServerOnNodes } from '../server-support.js';

export interface FakeDrill {
  readonly id: string;
  readonly target?: string;
  readonly trigger?: DrillTrigger;
  /** The step that throws; none for a drill that succeeds. */
  readonly failAt?: StepName;
  /** How long each step takes on the fake clock, in milliseconds. */
  readonly stepMs?: Partial<Record<StepName, number>>;
  /** Leave the drill requested but not run. */
  readonly queuedOnly?: boolean;
  /** What `prepare` records the nodes said they run; nothing when left out. */
  readonly servers?: ServerOnNodes[];
}

/**
 * A real store with the drill projection (SQLite in memory unless `database` names another), and drills run through the real runner with
 * steps that only advance a fake clock: for testing what is read back, not what a drill does.
 */
export async function fakeDrillStore(startAt = '2026-11-25T12:00:00.000Z', database: DatabaseSettings | string = ':memory:') {
  const dataSource: DataSource = await openDataSource(database);
  const store = drillEventStore(dataSource);
  let now = Date.parse(startAt);
  const clock: Clock = { now: () => now };
  const targets = new TargetRegistry(
    [labTarget({ name: 'one', basePort: 7000 }, 'lab'), labTarget({ name: 'two', basePort: 7100 }, 'staging')],
    'lab',
  );

  async function run(drill: FakeDrill): Promise<void> {
    const steps = Object.fromEntries(
      STEP_NAMES.map((name) => [
        name,
        async (): Promise<DrillEvent[]> => {
          now += drill.stepMs?.[name] ?? 10;
          if (name === drill.failAt) {
            throw new Error(`${name} broke`);
          }
          if (name === 'prepare' && drill.servers) {
            return [{ type: 'ServersIdentified', data: { servers: drill.servers } }];
          }
          return name === 'takeover' ? [{ type: 'ClusterServing', data: { masters: ['b1', 'b2', 'b3'], killToServingMs: 50 } }] : [];
        },
      ]),
    ) as unknown as StepRegistry;
    await DrillStream.create(store, clock, drill.id, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: drill.target ?? 'lab', trigger: drill.trigger ?? 'manual' },
    });
    if (!drill.queuedOnly) {
      await unitRunner({ store, clock, steps, targets }).run(drill.id);
    }
    now += 1000;
  }

  return {
    dataSource,
    store,
    clock,
    advance: (ms: number) => (now += ms),
    run,
    close: () => dataSource.destroy(),
  };
}

/**
 * The runner with the given steps and nothing behind it: no cluster, no containers, every target
 * free, retries without pauses. For testing what the runner records.
 */
export function unitRunner(parts: {
  store: EventStore;
  clock: Clock;
  steps: StepRegistry;
  targets?: TargetRegistry;
  settings?: Partial<DrillSettings>;
  locks?: DrillLocks;
  probes?: ProbeFactory;
  admin?: ClusterAdmin;
  nodes?: NodeControl;
}): DrillRunner {
  return new DrillRunner({
    store: parts.store,
    targets: parts.targets ?? new TargetRegistry([labTarget({ name: 'unit', basePort: 7000 }, 'lab')], 'lab'),
    // Every node answers: the look the runner takes after a watchdog fires finds none silent.
    admin: parts.admin ?? ({ role: async () => 'master' } as unknown as ClusterAdmin),
    keyspace: {} as ClusterKeyspace,
    nodeControlFor: () => parts.nodes ?? ({} as NodeControl),
    clock: parts.clock,
    settings: {
      canaryKeys: 1,
      maxReplicaLagBytes: 0,
      readinessTimeoutMs: 0,
      stepTimeoutMs: 10_000,
      stepRetries: 2,
      retryBaseMs: 0,
      ...parts.settings,
    },
    steps: parts.steps,
    locks: parts.locks ?? UNCOORDINATED,
    worker: 'unit-worker',
    ...(parts.probes ? { probes: parts.probes } : {}),
  });
}

/** A UUID whose last digits are `n`, so that tests can name drills by number. */
export const drillId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
