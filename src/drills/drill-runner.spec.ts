import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import type { Clock } from '../common/clock.js';
import { openDataSource } from '../database/data-source.js';
import { EventStore } from '../events/event-store.js';
import { labTarget } from '../lab/lab-topology.js';
import type { NodeControl } from '../nodes/node-control.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { STEP_NAMES, type DrillEvent, type StepName } from './drill-events.js';
import { DrillRunner } from './drill-runner.js';
import { DrillStream } from './drill-stream.js';
import type { DrillStep, StepRegistry } from './steps/step-context.js';

const clock: Clock = { now: () => Date.parse('2026-11-25T12:00:00Z') };
const drillId = '4f8a5c1e-0000-4000-8000-000000000002';

describe('DrillRunner with fake steps', () => {
  let dataSource: DataSource;
  let store: EventStore;
  let ran: StepName[];

  beforeEach(async () => {
    dataSource = await openDataSource(':memory:');
    store = new EventStore(dataSource);
    ran = [];
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  function runner(overrides: Partial<Record<StepName, DrillStep>> = {}): DrillRunner {
    const steps = Object.fromEntries(
      STEP_NAMES.map((name) => [
        name,
        overrides[name] ??
          (async () => {
            ran.push(name);
            return [];
          }),
      ]),
    ) as unknown as StepRegistry;
    return new DrillRunner({
      store,
      targets: new TargetRegistry([labTarget({ name: 'unit', basePort: 7000 }, 'lab')], 'lab'),
      admin: {} as ClusterAdmin,
      keyspace: {} as ClusterKeyspace,
      nodeControlFor: () => ({}) as NodeControl,
      clock,
      settings: { canaryKeys: 1, maxReplicaLagBytes: 0, readinessTimeoutMs: 0 },
      steps,
    });
  }

  const request = (target = 'lab') =>
    DrillStream.create(store, clock, drillId, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target, trigger: 'manual' },
    });

  const types = async () =>
    (await store.read<DrillEvent>(drillId)).map((event) =>
      event.type.startsWith('Step') ? `${event.type}:${(event.data as { step: string }).step}` : event.type,
    );

  it('runs every step once, in plan order, and records each start and success', async () => {
    await request();
    const state = await runner().run(drillId);
    expect(ran).toEqual([...STEP_NAMES]);
    expect(state.status).toBe('succeeded');
    expect(await types()).toEqual([
      'DrillRequested',
      'DrillStarted',
      ...STEP_NAMES.flatMap((step) => [`StepStarted:${step}`, `StepSucceeded:${step}`]),
      'DrillSucceeded',
    ]);
    expect(state.steps.every((step) => step.status === 'succeeded' && step.durationMs! >= 0)).toBe(true);
  });

  it('records the events a step causes between its start and its end, those it returns with its success', async () => {
    await request();
    await runner({
      kill: async (context) => {
        await context.record({
          type: 'NodeKilled',
          data: { node: 'a1', container: 'unit-a1', nodeId: 'f'.repeat(40), alreadyStopped: false, method: 'signal' },
        });
        return [
          {
            type: 'NodeKilled',
            data: { node: 'a2', container: 'unit-a2', nodeId: 'e'.repeat(40), alreadyStopped: false, method: 'signal' },
          },
        ];
      },
    }).run(drillId);
    const recorded = await types();
    expect(recorded.slice(recorded.indexOf('StepStarted:kill'), recorded.indexOf('StepSucceeded:kill') + 1)).toEqual([
      'StepStarted:kill',
      'NodeKilled',
      'NodeKilled',
      'StepSucceeded:kill',
    ]);
  });

  it('stops at a failing step, records why, and runs nothing after it', async () => {
    await request();
    const state = await runner({
      takeover: async () => {
        throw new Error('b2 did not become master');
      },
    }).run(drillId);
    expect(ran).toEqual(['prepare', 'kill']);
    expect(state).toMatchObject({ status: 'failed', error: 'takeover failed: b2 did not become master' });
    expect(state.steps.find((step) => step.name === 'takeover')).toMatchObject({ status: 'failed', error: 'b2 did not become master' });
    expect((await types()).slice(-3)).toEqual(['StepStarted:takeover', 'StepFailed:takeover', 'DrillFailed']);
  });

  it('continues a drill from its first unfinished step, and leaves a finished one alone', async () => {
    await request();
    const stream = await DrillStream.open(store, clock, drillId);
    await stream.append(
      { type: 'DrillStarted', data: { plan: [...STEP_NAMES] } },
      { type: 'StepStarted', data: { step: 'prepare' } },
      { type: 'StepSucceeded', data: { step: 'prepare', durationMs: 1 } },
    );
    await runner().run(drillId);
    expect(ran).toEqual(STEP_NAMES.slice(1));
    ran = [];
    const again = await runner().run(drillId);
    expect(ran).toEqual([]);
    expect(again.status).toBe('succeeded');
  });

  it('fails a drill whose target is no longer configured, before any step', async () => {
    await request('gone');
    const state = await runner().run(drillId);
    expect(ran).toEqual([]);
    expect(state).toMatchObject({ status: 'failed', error: 'unknown target "gone"; known targets: lab' });
  });
});
