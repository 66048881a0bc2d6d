import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataSource } from '../database/data-source.js';
import { type EventStore } from '../events/event-store.js';
import { SqliteEventStore } from '../events/sqlite-event-store.js';
import { GROUP_FAILOVER_STEPS, STEP_NAMES, type StepName } from './scenarios.js';
import { DrillStream } from './drill-stream.js';
import { DrillSummaryProjection } from './drill-summary.projection.js';
import { unitRunner } from './testing/fake-drills.js';
import type { StepRegistry } from './steps/step-context.js';

describe('the drill summary projection', () => {
  let dataSource: DataSource;
  let store: EventStore;
  let now = Date.parse('2026-11-25T12:00:00Z');
  const clock = { now: () => (now += 7) };

  beforeEach(async () => {
    dataSource = await openDataSource(':memory:');
    store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  /** Runs one drill with fake steps, the given one failing. */
  async function drill(id: string, failAt?: StepName, target = 'lab'): Promise<void> {
    const steps = Object.fromEntries(
      STEP_NAMES.map((name) => [
        name,
        async () => {
          if (name === failAt) {
            throw new Error(`${name} broke`);
          }
          return name === 'takeover' ? [{ type: 'ClusterServing', data: { masters: ['b1'], killToServingMs: 42 } }] : [];
        },
      ]),
    ) as unknown as StepRegistry;
    await DrillStream.create(store, clock, id, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target, trigger: 'manual' },
    });
    await unitRunner({ store, clock, steps }).run(id);
  }

  const tables = async () => ({
    drills: await dataSource.query<Record<string, unknown>[]>('SELECT * FROM drills ORDER BY id'),
    steps: await dataSource.query<Record<string, unknown>[]>('SELECT * FROM drill_steps ORDER BY drill_id, ordinal'),
  });

  it('keeps one row per drill and one per step, in the same transaction as each append', async () => {
    await drill('00000000-0000-4000-8000-000000000001');
    const { drills, steps } = await tables();
    expect(drills).toEqual([
      expect.objectContaining({
        id: '00000000-0000-4000-8000-000000000001',
        status: 'succeeded',
        actor: 'ops-alice',
        kill_to_serving_ms: 42,
        error: null,
      }),
    ]);
    expect(steps.map((step) => [step.name, step.status])).toEqual(GROUP_FAILOVER_STEPS.map((name) => [name, 'succeeded']));
  });

  it('rebuilds from the events alone into exactly the tables kept live, failed and queued drills included', async () => {
    await drill('00000000-0000-4000-8000-000000000001');
    await drill('00000000-0000-4000-8000-000000000002', 'prepare');
    await drill('00000000-0000-4000-8000-000000000003', 'replicate');
    await drill('00000000-0000-4000-8000-000000000004', undefined, 'gone');
    await DrillStream.create(store, clock, '00000000-0000-4000-8000-000000000005', 'ops-bob', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: 'lab', trigger: 'schedule', scheduleId: '00000000-0000-4000-8000-0000000000aa' },
    });
    const live = await tables();
    expect(live.drills.map((row) => row.status)).toEqual(['succeeded', 'failed', 'failed', 'failed', 'queued']);

    await dataSource.query('DELETE FROM drill_steps');
    await dataSource.query(`UPDATE drills SET status = 'tampered'`);
    expect(await store.rebuildProjections()).toEqual({ streams: 5 });
    expect(await tables()).toEqual(live);
  });

  it('is rebuilt at boot when its stored version is not the code version', async () => {
    await drill('00000000-0000-4000-8000-000000000001');
    expect(await store.rebuildStaleProjections()).toBe(true);
    expect(await store.rebuildStaleProjections()).toBe(false);
    await dataSource.query(`UPDATE projection_state SET version = 0`);
    await dataSource.query('DELETE FROM drills');
    expect(await store.rebuildStaleProjections()).toBe(true);
    expect((await tables()).drills).toHaveLength(1);
  });
});
