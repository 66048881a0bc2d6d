import { describe, expect, it } from 'vitest';
import type { DrillEvent, RecordedDrillEvent } from './drill-events.js';
import { GROUP_FAILOVER_STEPS, type STEP_NAMES } from './scenarios.js';
import { foldDrill, msSinceKill, nextStep, type DrillState } from './drill-state.js';

const drillId = '4f8a5c1e-0000-4000-8000-000000000001';

/** Given these events, in order, one millisecond apart from a fixed start. */
function given(...events: DrillEvent[]): RecordedDrillEvent[] {
  return events.map((event, index) => ({
    ...event,
    streamId: drillId,
    position: 100 + index,
    sequence: index + 1,
    occurredAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, index)).toISOString(),
    schemaVersion: 1,
    actor: 'ops-alice',
    hash: '',
  }));
}

const requested: DrillEvent = { type: 'DrillRequested', data: { scenario: 'group-failover', target: 'lab', trigger: 'manual' } };
const started: DrillEvent = { type: 'DrillStarted', data: { plan: [...GROUP_FAILOVER_STEPS] } };
const stepStarted = (step: (typeof STEP_NAMES)[number]): DrillEvent => ({ type: 'StepStarted', data: { step } });
const stepSucceeded = (step: (typeof STEP_NAMES)[number], durationMs = 10): DrillEvent => ({
  type: 'StepSucceeded',
  data: { step, durationMs },
});

describe('foldDrill', () => {
  it('has no drill for an empty stream', () => {
    expect(foldDrill([])).toBeUndefined();
  });

  it('passes over the events notifications keep in its stream', () => {
    const webhookDelivered = {
      type: 'WebhookDelivered',
      data: { url: 'https://hooks.example/drills', deliveryId: 'd-1', attempt: 1, status: 204, tookMs: 12 },
    } as unknown as DrillEvent;
    const state = foldDrill(given(requested, webhookDelivered))!;
    expect(state).toEqual({ ...foldDrill(given(requested))!, version: 2 });
  });

  it('is queued once requested', () => {
    const state = foldDrill(given(requested))!;
    expect(state).toMatchObject({
      id: drillId,
      status: 'queued',
      scenario: 'group-failover',
      target: 'lab',
      trigger: 'manual',
      actor: 'ops-alice',
      version: 1,
      steps: [],
    });
    expect(nextStep(state)).toBeUndefined();
  });

  it('lists every step of the plan as pending once started', () => {
    const state = foldDrill(given(requested, started))!;
    expect(state.status).toBe('running');
    expect(state.steps.map((step) => [step.name, step.status])).toEqual(GROUP_FAILOVER_STEPS.map((name) => [name, 'pending']));
    expect(nextStep(state)).toBe('prepare');
  });

  it('tracks each step from start to success with its duration, and the kill time', () => {
    const state = foldDrill(given(requested, started, stepStarted('prepare'), stepSucceeded('prepare', 412.5), stepStarted('kill')))!;
    expect(state.steps[0]).toEqual({
      name: 'prepare',
      status: 'succeeded',
      startedAt: '2026-11-25T12:00:00.002Z',
      finishedAt: '2026-11-25T12:00:00.003Z',
      durationMs: 412.5,
    });
    expect(state.steps[1]).toMatchObject({ name: 'kill', status: 'running' });
    expect(state.killStartedAt).toBe('2026-11-25T12:00:00.004Z');
    expect(nextStep(state)).toBe('kill');
  });

  it('records the timings the takeover and replicate steps measured', () => {
    const state = foldDrill(
      given(
        requested,
        started,
        { type: 'ClusterServing', data: { masters: ['b1', 'b2', 'b3'], killToServingMs: 48.2 } },
        { type: 'ClusterRedundant', data: { killToRedundantMs: 510 } },
        { type: 'DrillSucceeded', data: { durationMs: 1300 } },
      ),
    )!;
    expect(state.status).toBe('succeeded');
    expect(state.timings).toEqual({ killToServingMs: 48.2, killToRedundantMs: 510, totalMs: 1300 });
    expect(nextStep(state)).toBeUndefined();
  });

  it('fails with the failed step, its error, and the reason', () => {
    const state = foldDrill(
      given(
        requested,
        started,
        stepStarted('prepare'),
        { type: 'StepFailed', data: { step: 'prepare', durationMs: 5, error: 'b1 does not replicate' } },
        { type: 'DrillFailed', data: { step: 'prepare', reason: 'prepare failed: b1 does not replicate' } },
      ),
    )!;
    expect(state).toMatchObject({
      status: 'failed',
      error: 'prepare failed: b1 does not replicate',
      finishedAt: '2026-11-25T12:00:00.004Z',
    });
    expect(state.steps[0]).toMatchObject({ status: 'failed', error: 'b1 does not replicate', durationMs: 5 });
    expect(state.timings.totalMs).toBe(3);
    expect(nextStep(state)).toBeUndefined();
  });

  it('keeps the topology, the direction and the killed nodes', () => {
    const state: DrillState = foldDrill(
      given(
        requested,
        started,
        {
          type: 'TopologyRecorded',
          data: { from: 'A', to: 'B', nodes: [{ name: 'a1', group: 'A', nodeId: 'x'.repeat(40), role: 'master' }] },
        },
        { type: 'NodeKilled', data: { node: 'a1', container: 'lab-a1', nodeId: 'x'.repeat(40), alreadyStopped: false, method: 'signal' } },
      ),
    )!;
    expect(state.direction).toEqual({ from: 'A', to: 'B' });
    expect(state.topology.map((node) => node.name)).toEqual(['a1']);
    expect(state.killed).toEqual(['a1']);
  });

  it('measures from the moment the signals went out, not from the start of the kill step', () => {
    const killed = (node: string, alreadyStopped: boolean, signalledAt?: string): DrillEvent => ({
      type: 'NodeKilled',
      data: {
        node,
        container: `lab-${node}`,
        nodeId: 'x'.repeat(40),
        alreadyStopped,
        method: 'signal',
        ...(signalledAt ? { signalledAt } : {}),
      },
    });
    // The kill step starts at 12:00:00.002 (the third event); its last look takes 40 ms before the signals.
    const signalled = foldDrill(given(requested, started, stepStarted('kill'), killed('a1', false, '2026-11-25T12:00:00.042Z')))!;
    expect(signalled.killSignalledAt).toBe('2026-11-25T12:00:00.042Z');
    expect(msSinceKill(signalled, Date.parse('2026-11-25T12:00:00.100Z'))).toBe(58);
    // A kill resumed after a crash finds the nodes stopped: it counts from the step's first start.
    const resumed = foldDrill(given(requested, started, stepStarted('kill'), killed('a1', true)))!;
    expect(resumed.killSignalledAt).toBeUndefined();
    expect(msSinceKill(resumed, Date.parse('2026-11-25T12:00:00.100Z'))).toBe(98);
    expect(msSinceKill(foldDrill(given(requested, started))!, Date.now())).toBe(-1);
  });

  it.each<[string, DrillEvent[], RegExp]>([
    ['a stream that does not start with DrillRequested', [started], /starts with DrillStarted/],
    ['a second DrillRequested', [requested, requested], /DrillRequested at sequence 2/],
    ['a step outside the plan', [requested, stepStarted('prepare')], /step prepare, which is not in the drill's plan/],
  ])('refuses %s', (_, events, message) => {
    expect(() => foldDrill(given(...events))).toThrow(message);
  });
});
