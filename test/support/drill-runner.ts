import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/common/clock.js';
import { createDrillRunner } from '../../src/drills/drill-runner.factory.js';
import { UNCOORDINATED } from '../../src/drills/drill-locks.js';
import { DrillStream } from '../../src/drills/drill-stream.js';
import { DrillSummaryProjection } from '../../src/drills/drill-summary.projection.js';
import type { ScenarioName } from '../../src/drills/scenarios.js';
import { DRILL_STEPS } from '../../src/drills/steps/drill-steps.js';
import { openDataSource } from '../../src/database/data-source.js';
import { SqliteEventStore } from '../../src/events/sqlite-event-store.js';
import { TargetRegistry } from '../../src/targets/target-registry.js';
import type { DrillSettings, StepRegistry } from '../../src/drills/steps/step-context.js';
import type { TestLab } from './test-lab.js';

/** What a runner runs besides the service's own: steps put in place of the drill steps, and settings. */
export interface RunnerVariant {
  readonly steps?: Partial<StepRegistry>;
  readonly settings?: Partial<DrillSettings>;
}

/**
 * The drill runner as the service wires it, on a test lab and a SQLite log: `databaseFile` when
 * given, else one in `directory`, else one in a directory of its own that `close` removes (a
 * given file or directory is left in place). It runs as `worker`, with these steps and settings.
 */
export async function drillRunnerFor(
  lab: Omit<TestLab, 'close' | 'lab'>,
  options: RunnerVariant & { directory?: string; databaseFile?: string; worker?: string } = {},
) {
  const ownDirectory = options.databaseFile || options.directory ? undefined : mkdtempSync(join(tmpdir(), 'redis-drill-'));
  const databaseFile = options.databaseFile ?? join(options.directory ?? ownDirectory!, 'drills.sqlite');
  const dataSource = await openDataSource(databaseFile);
  const store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  const targets = new TargetRegistry([lab.target], lab.target.name);
  /** Another runner on the same log, running `variant` over these options' steps and settings. */
  const runnerWith = (variant: RunnerVariant) =>
    createDrillRunner({
      store,
      targets,
      admin: lab.admin,
      keyspace: lab.keyspace,
      docker: lab.docker,
      clock: systemClock,
      locks: UNCOORDINATED,
      worker: options.worker ?? 'test-worker',
      steps: { ...DRILL_STEPS, ...options.steps, ...variant.steps },
      settings: { ...options.settings, ...variant.settings },
    });
  const runner = runnerWith({});
  /** Requests a drill of `scenario` on the lab, as the API would, and returns its id. */
  const requestDrill = async (scenario: ScenarioName = 'group-failover') => {
    const id = randomUUID();
    await DrillStream.create(store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: lab.target.name, trigger: 'manual' },
    });
    return id;
  };
  return {
    databaseFile,
    dataSource,
    store,
    runner,
    runnerWith,
    requestDrill,
    /** Requests a drill of `scenario` on the lab and runs it to its end. */
    async runDrill(scenario: ScenarioName = 'group-failover') {
      return (await runner.run(await requestDrill(scenario))).state;
    },
    async close() {
      await dataSource.destroy();
      if (ownDirectory) {
        rmSync(ownDirectory, { recursive: true, force: true });
      }
    },
  };
}
