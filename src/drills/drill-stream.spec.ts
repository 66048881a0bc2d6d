import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../common/clock.js';
import { openDataSource } from '../database/data-source.js';
import { type EventStore } from '../events/event-store.js';
import { SqliteEventStore } from '../events/sqlite-event-store.js';
import type { DrillEvent } from './drill-events.js';
import { GROUP_FAILOVER_STEPS } from './scenarios.js';
import { DrillStream } from './drill-stream.js';

const clock: Clock = { now: () => Date.parse('2026-11-25T12:00:00Z') };
const drillId = '4f8a5c1e-0000-4000-8000-000000000004';

describe('DrillStream staging', () => {
  let dataSource: DataSource;
  let store: EventStore;
  let stream: DrillStream;

  beforeEach(async () => {
    dataSource = await openDataSource(':memory:');
    store = new SqliteEventStore(dataSource);
    stream = await DrillStream.create(store, clock, drillId, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: 'lab', trigger: 'manual' },
    });
    await stream.append(
      { type: 'DrillStarted', data: { plan: [...GROUP_FAILOVER_STEPS] } },
      { type: 'StepStarted', data: { step: 'prepare' } },
    );
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  const written = async () => (await store.read<DrillEvent>(drillId)).map((event) => event.type);

  it('counts staged events in the state at once, and writes them first with the next append', async () => {
    stream.stage({ type: 'StepSucceeded', data: { step: 'prepare', durationMs: 5 } });
    expect(stream.state.steps[0]).toMatchObject({ name: 'prepare', status: 'succeeded' });
    expect(await written()).toEqual(['DrillRequested', 'DrillStarted', 'StepStarted']);
    await stream.append({ type: 'StepStarted', data: { step: 'kill' } });
    expect(await written()).toEqual(['DrillRequested', 'DrillStarted', 'StepStarted', 'StepSucceeded', 'StepStarted']);
    expect(stream.state).toMatchObject({ version: 5, killStartedAt: '2026-11-25T12:00:00.000Z' });
  });

  it('folds an abort others appended under what is staged, and writes after it', async () => {
    stream.stage({ type: 'StepSucceeded', data: { step: 'prepare', durationMs: 5 } });
    await store.append(drillId, 3, [{ type: 'AbortRequested', data: { reason: 'not now' } }], {
      occurredAt: new Date(clock.now()),
      actor: 'ops-bob',
    });
    await stream.refresh();
    expect(stream.state).toMatchObject({ version: 5, abortRequested: { reason: 'not now', actor: 'ops-bob' } });
    expect(stream.state.steps[0]?.status).toBe('succeeded');
    await stream.flush();
    expect((await written()).slice(-2)).toEqual(['AbortRequested', 'StepSucceeded']);
    expect(stream.state.version).toBe(5);
  });

  it('writes nothing when nothing is staged', async () => {
    await stream.flush();
    expect(await written()).toHaveLength(3);
  });
});
