import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/common/clock.js';
import { createDrillRunner } from '../../src/drills/drill-runner.factory.js';
import { UNCOORDINATED } from '../../src/drills/drill-locks.js';
import { DrillStream } from '../../src/drills/drill-stream.js';
import { DrillSummaryProjection } from '../../src/drills/drill-summary.projection.js';
import { openDataSource } from '../../src/database/data-source.js';
import { SqliteEventStore } from '../../src/events/sqlite-event-store.js';
import { TargetRegistry } from '../../src/targets/target-registry.js';
import type { DrillSettings, StepRegistry } from '../../src/drills/steps/step-context.js';
import type { TestLab } from './test-lab.js';

/**
 * The drill runner as the service wires it, on a test lab and a SQLite file of its own (in
 * `directory` when given, which is then left in place), with these steps and settings if given.
 */
export async function drillRunnerFor(
  lab: Omit<TestLab, 'close' | 'lab'>,
  options: { directory?: string; steps?: StepRegistry; settings?: Partial<DrillSettings> } = {},
) {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'redis-drill-'));
  const databaseFile = join(directory, 'drills.sqlite');
  const dataSource = await openDataSource(databaseFile);
  const store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  const runner = createDrillRunner({
    store,
    targets: new TargetRegistry([lab.target], lab.target.name),
    admin: lab.admin,
    keyspace: lab.keyspace,
    docker: lab.docker,
    clock: systemClock,
    locks: UNCOORDINATED,
    worker: 'test-worker',
    ...(options.steps ? { steps: options.steps } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  return {
    databaseFile,
    dataSource,
    store,
    runner,
    /** Requests a group-failover drill on the lab and runs it to its end. */
    async runDrill() {
      const id = randomUUID();
      await DrillStream.create(store, systemClock, id, 'test', {
        type: 'DrillRequested',
        data: { scenario: 'group-failover', target: lab.target.name, trigger: 'manual' },
      });
      return (await runner.run(id)).state;
    },
    async close() {
      await dataSource.destroy();
      if (!options.directory) {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}
