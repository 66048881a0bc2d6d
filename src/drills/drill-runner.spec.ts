import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterCommandError } from '../cluster/cluster-errors.js';
import type { Clock } from '../common/clock.js';
import { pending, satisfied, waitFor } from '../common/wait-for.js';
import { openDataSource } from '../database/data-source.js';
import { type EventStore } from '../events/event-store.js';
import { SqliteEventStore } from '../events/sqlite-event-store.js';
import { sqliteHandle } from '../database/sqlite.js';
import { DockerEngineError } from '../docker/docker-engine.js';
import type { NodeControl } from '../nodes/node-control.js';
import { LeaseLostError } from '../queue/target-locks.js';
import type { DrillEvent } from './drill-events.js';
import { GROUP_FAILOVER_STEPS, STEP_NAMES, type StepName } from './scenarios.js';
import type { DrillLocks } from './drill-locks.js';
import { DrillStream } from './drill-stream.js';
import type { DrillStep, StepRegistry } from './steps/step-context.js';
import { unitRunner } from './testing/fake-drills.js';

const clock: Clock = { now: () => Date.parse('2026-11-25T12:00:00Z') };
const drillId = '4f8a5c1e-0000-4000-8000-000000000002';
/** The node a failing command went to. */
const NODE = { host: '127.0.0.1', port: 7011 };

describe('DrillRunner with fake steps', () => {
  let dataSource: DataSource;
  let store: EventStore;
  let ran: StepName[];

  beforeEach(async () => {
    dataSource = await openDataSource(':memory:');
    store = new SqliteEventStore(dataSource);
    ran = [];
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  function steps(overrides: Partial<Record<StepName, DrillStep>> = {}): StepRegistry {
    return Object.fromEntries(
      STEP_NAMES.map((name) => [
        name,
        overrides[name] ??
          (async () => {
            ran.push(name);
            return [];
          }),
      ]),
    ) as unknown as StepRegistry;
  }

  const runner = (overrides: Partial<Record<StepName, DrillStep>> = {}, settings = {}) =>
    unitRunner({ store, clock, steps: steps(overrides), settings });

  const request = (target = 'lab') =>
    DrillStream.create(store, clock, drillId, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target, trigger: 'manual' },
    });

  const recorded = async () =>
    (await store.read<DrillEvent>(drillId)).map((event) =>
      'step' in event.data && event.type !== 'DrillFailed' ? `${event.type}:${(event.data as { step: string }).step}` : event.type,
    );

  /** Waits until the log holds `event` (as `recorded` names it) `times` times: how a fake step outlives its watchdog. */
  const recordedSoon = (event: string, times = 1) =>
    waitFor(
      async () => ((await recorded()).filter((name) => name === event).length >= times ? satisfied(true) : pending(`no ${event} yet`)),
      { description: `${event} to be recorded`, timeoutMs: 5_000, intervalMs: 2 },
    );

  /** Appends an abort request as the API does, from outside the runner's stream. */
  const requestAbort = async (reason = 'maintenance window closed') => {
    const events = await store.read(drillId);
    await store.append(drillId, events.length, [{ type: 'AbortRequested', data: { reason } }], {
      occurredAt: new Date(clock.now()),
      actor: 'ops-bob',
    });
  };

  it('runs every step once, in plan order, and records the lease, each start and each success', async () => {
    await request();
    const { outcome, state } = await runner().run(drillId);
    expect(outcome).toBe('finished');
    expect(ran).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(state.status).toBe('succeeded');
    expect(await recorded()).toEqual([
      'DrillRequested',
      'DrillStarted',
      'LeaseAcquired',
      ...GROUP_FAILOVER_STEPS.flatMap((step) => [`StepStarted:${step}`, `StepSucceeded:${step}`]),
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
    const events = await recorded();
    expect(events.slice(events.indexOf('StepStarted:kill'), events.indexOf('StepSucceeded:kill') + 1)).toEqual([
      'StepStarted:kill',
      'NodeKilled',
      'NodeKilled',
      'StepSucceeded:kill',
    ]);
  });

  it('stops at a failing step, records why, and runs nothing after it', async () => {
    await request();
    const { state } = await runner({
      takeover: async () => {
        throw new Error('b2 did not become master');
      },
    }).run(drillId);
    expect(ran).toEqual(['prepare', 'kill']);
    expect(state).toMatchObject({ status: 'failed', error: 'takeover failed: b2 did not become master' });
    expect(state.steps.find((step) => step.name === 'takeover')).toMatchObject({ status: 'failed', error: 'b2 did not become master' });
    expect((await recorded()).slice(-3)).toEqual(['StepStarted:takeover', 'StepFailed:takeover', 'DrillFailed']);
  });

  it('tries a step again after a transient error, with the retry on record, and fails at once on any other', async () => {
    await request();
    let tries = 0;
    const { state } = await runner({
      meet: async () => {
        if (++tries < 3) {
          throw new ClusterCommandError(NODE, Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        }
        return [];
      },
      verify: async () => {
        throw new Error('3 of 16384 canary keys are missing');
      },
    }).run(drillId);
    expect(tries).toBe(3);
    expect((await recorded()).filter((event) => event.startsWith('StepRetried'))).toEqual(['StepRetried:meet', 'StepRetried:meet']);
    expect(state.error).toBe('verify failed: 3 of 16384 canary keys are missing');
  });

  it('gives up on a transient error once the retries are spent', async () => {
    await request();
    const { state } = await runner({
      forget: async () => {
        throw new ClusterCommandError(NODE, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7011'), { code: 'ECONNREFUSED' }));
      },
    }).run(drillId);
    expect(state.error).toBe('forget failed: connect ECONNREFUSED 127.0.0.1:7011');
    expect((await recorded()).filter((event) => event === 'StepRetried:forget')).toHaveLength(2);
  });

  it('puts back the replica-migration settings it changed when the drill fails', async () => {
    await request();
    const set: string[] = [];
    const admin = {
      configSet: async (node: { name: string }, key: string, value: string) => void set.push(`${node.name} ${key} ${value}`),
    };
    const { state } = await unitRunner({
      store,
      clock,
      admin: admin as never,
      steps: steps({
        prepare: async (context) => {
          await context.record({ type: 'ReplicaMigrationPaused', data: { previous: { b1: 'yes', b2: 'yes', b3: 'no' } } });
          return [];
        },
        takeover: async () => {
          throw new Error('b2 did not become master');
        },
      }),
    }).run(drillId);
    expect(state).toMatchObject({ status: 'failed', migrationPaused: undefined });
    expect(set.sort()).toEqual([
      'b1 cluster-allow-replica-migration yes',
      'b2 cluster-allow-replica-migration yes',
      'b3 cluster-allow-replica-migration no',
    ]);
    expect((await recorded()).slice(-3)).toEqual(['StepFailed:takeover', 'ReplicaMigrationRestored', 'DrillFailed']);
  });

  it('fails a step before the kill that outlives its watchdog, with the target untouched', async () => {
    await request();
    const { state } = await runner({ prepare: () => new Promise<never>(() => undefined) }, { stepTimeoutMs: 30 }).run(drillId);
    expect(state.error).toBe('prepare failed: prepare was still running after 30 ms (the step watchdog)');
    expect(ran).toEqual([]);
  });

  it('stops on a failover step past its watchdog, and finishes the failover on the recovery path once that run has stopped', async () => {
    await request();
    let meets = 0;
    let firstStopped = false;
    let secondStartedAfterFirst: boolean | undefined;
    const { state } = await runner(
      {
        meet: async () => {
          meets++;
          ran.push('meet');
          if (meets === 1) {
            // Outlives the watchdog, then stops on its own, as a step's bounded waits do.
            await recordedSoon('StopConditionMet:meet');
            firstStopped = true;
            return [];
          }
          secondStartedAfterFirst = firstStopped;
          return [];
        },
      },
      { stepTimeoutMs: 200 },
    ).run(drillId);
    expect(secondStartedAfterFirst).toBe(true);
    expect(state).toMatchObject({
      status: 'aborted',
      error: 'aborted: stop condition: meet was still running after 200 ms (the step watchdog)',
      recovery: ['meet', 'replicate', 'verify'],
    });
    expect(ran).toEqual([...GROUP_FAILOVER_STEPS.slice(0, 5), 'meet', 'replicate', 'verify']);
    expect(state.steps.find((step) => step.name === 'meet')).toMatchObject({ status: 'succeeded', error: undefined });
    const events = await recorded();
    expect(events.slice(events.indexOf('StepFailed:meet'), events.indexOf('StepFailed:meet') + 5)).toEqual([
      'StepFailed:meet',
      'StopConditionMet:meet',
      'AbortRequested',
      'RecoveryStarted',
      'StepStarted:meet',
    ]);
    // The service stopped the drill, not the person who asked for it.
    const actors = (await store.read<DrillEvent>(drillId)).map((event) => [event.type, event.actor]);
    expect(actors.filter(([type]) => type === 'StopConditionMet' || type === 'AbortRequested')).toEqual([
      ['StopConditionMet', 'stop-condition'],
      ['AbortRequested', 'stop-condition'],
    ]);
    expect(actors.find(([type]) => type === 'RecoveryStarted')).toEqual(['RecoveryStarted', 'ops-alice']);
  });

  /** A step whose first run outlives the watchdog, stopping only once its timeout is on record; later runs return at once. */
  const outlivesWatchdogOnce = (step: StepName): DrillStep => {
    let runs = 0;
    return async () => {
      runs++;
      ran.push(step);
      if (runs === 1) {
        await recordedSoon(`StopConditionMet:${step}`);
      }
      return [];
    };
  };

  it('runs a kill that outlived its watchdog again on the recovery path, then the rest of the failover', async () => {
    await request();
    const { state } = await runner({ kill: outlivesWatchdogOnce('kill') }, { stepTimeoutMs: 200 }).run(drillId);
    expect(state).toMatchObject({
      status: 'aborted',
      error: 'aborted: stop condition: kill was still running after 200 ms (the step watchdog)',
      recovery: ['kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'],
    });
    expect(ran).toEqual(['prepare', 'kill', 'kill', 'takeover', 'forget', 'meet', 'replicate', 'verify']);
  });

  it('runs a failback that outlived its watchdog again to its end, rather than leave it half done', async () => {
    await DrillStream.create(store, clock, drillId, 'ops-alice', {
      type: 'DrillRequested',
      data: { scenario: 'failover-and-failback', target: 'lab', trigger: 'manual' },
    });
    const { state } = await runner({ failback: outlivesWatchdogOnce('failback') }, { stepTimeoutMs: 200 }).run(drillId);
    expect(state).toMatchObject({ status: 'aborted', recovery: ['failback'] });
    expect(state.steps.find((step) => step.name === 'failback')).toMatchObject({ status: 'succeeded' });
    expect(ran).toEqual([...GROUP_FAILOVER_STEPS, 'failback', 'failback']);
  });

  it('fails when a failover step outlives its watchdog on the recovery path too', async () => {
    await request();
    let runs = 0;
    // Each run outlives the watchdog: it stops only once its own timeout is on record.
    const slow: DrillStep = async () => {
      runs++;
      await recordedSoon('StepFailed:replicate', runs);
      return [];
    };
    const { state } = await runner({ replicate: slow }, { stepTimeoutMs: 200 }).run(drillId);
    expect(state).toMatchObject({
      status: 'failed',
      error: 'replicate failed: replicate was still running after 200 ms (the step watchdog)',
    });
    expect((await recorded()).filter((event) => event === 'StepFailed:replicate')).toHaveLength(2);
  });

  it('does not run a timed-out step again while the run given up on has not stopped', async () => {
    await request();
    let runs = 0;
    const hung: DrillStep = () => {
      runs++;
      return new Promise<never>(() => undefined);
    };
    const { state } = await runner({ forget: hung }, { stepTimeoutMs: 30 }).run(drillId);
    expect(runs).toBe(1);
    expect(state).toMatchObject({
      status: 'failed',
      error: 'forget failed: forget was still running after 30 ms (the step watchdog), and was still running 30 ms later',
    });
  });

  describe('with a client-outage or error budget', () => {
    /** A probe that reports these outages, and these failed-write counts, at successive looks. */
    const probeSeeing =
      (outages: number[], failures: number[] = [], unwritten: number[] = []) =>
      () => ({
        start: async () => unwritten,
        stop: async () => ({
          writesPerSecond: 1,
          durationMs: 1,
          writes: 0,
          acked: 0,
          failed: 0,
          unknown: 0,
          lostAckedWrites: 0,
          failedButPresent: 0,
          clientRtoMs: Math.max(...outages),
          errors: { clusterDown: 0, redirects: 0, connection: 0, readonly: 0, timeout: 0, other: 0 },
          shards: [],
        }),
        outageMs: () => outages.shift() ?? 0,
        failedWrites: () => failures.shift() ?? 0,
        discard: () => undefined,
      });
    const requestWithBudget = (maxClientOutageMs: number) =>
      DrillStream.create(store, clock, drillId, 'ops-alice', {
        type: 'DrillRequested',
        data: { scenario: 'group-failover', target: 'lab', trigger: 'manual', options: { maxClientOutageMs } },
      });
    const preparing: DrillStep = async () => {
      ran.push('prepare');
      return [{ type: 'TopologyRecorded', data: { from: 'A', to: 'B', nodes: [] } }];
    };

    it('stops when the clients are down longer than the budget, and finishes the failover', async () => {
      await requestWithBudget(500);
      // Seen at the boundaries before kill, takeover, forget and meet.
      const probes = probeSeeing([0, 10, 300, 800]);
      const { state } = await unitRunner({ store, clock, steps: steps({ prepare: preparing }), probes }).run(drillId);
      expect(state).toMatchObject({
        status: 'aborted',
        error: 'aborted: stop condition: clients went 800 ms without a successful write; the budget is 500 ms',
        recovery: ['meet', 'replicate', 'verify'],
      });
      expect(ran).toEqual([...GROUP_FAILOVER_STEPS]);
      expect((await recorded()).filter((event) => event.startsWith('StopConditionMet'))).toHaveLength(1);
    });

    it('does not call a drill a success when the clients went over it during the last step', async () => {
      await requestWithBudget(500);
      // The boundaries before the six steps after prepare, then the look at the end.
      const probes = probeSeeing([0, 10, 20, 30, 40, 50, 900]);
      const { state } = await unitRunner({ store, clock, steps: steps({ prepare: preparing }), probes }).run(drillId);
      expect(state).toMatchObject({
        status: 'aborted',
        error: 'aborted: stop condition: clients went 900 ms without a successful write; the budget is 500 ms',
      });
      expect(ran).toEqual([...GROUP_FAILOVER_STEPS]);
      expect(state.steps.every((step) => step.status === 'succeeded')).toBe(true);
    });

    it('stops when more client writes failed than the error budget allows, and finishes the failover', async () => {
      await DrillStream.create(store, clock, drillId, 'ops-alice', {
        type: 'DrillRequested',
        data: { scenario: 'group-failover', target: 'lab', trigger: 'manual', options: { maxFailedWrites: 20 } },
      });
      // Seen at the boundaries before kill, takeover and forget.
      const probes = probeSeeing([], [0, 5, 21]);
      const { state } = await unitRunner({ store, clock, steps: steps({ prepare: preparing }), probes }).run(drillId);
      expect(state).toMatchObject({
        status: 'aborted',
        error: 'aborted: stop condition: 21 client writes failed or got no answer; the budget is 20',
        recovery: ['forget', 'meet', 'replicate', 'verify'],
      });
      const met = (await store.read<DrillEvent>(drillId)).find((event) => event.type === 'StopConditionMet');
      expect(met?.data).toMatchObject({ condition: 'client-errors', step: null });
    });

    it('runs to the end while the clients stay within it', async () => {
      await requestWithBudget(500);
      const { state } = await unitRunner({
        store,
        clock,
        steps: steps({ prepare: preparing }),
        probes: probeSeeing([0, 10, 300, 499, 20, 0]),
      }).run(drillId);
      expect(state.status).toBe('succeeded');
    });

    it('records the shards the probe had not written to when the drill stopped waiting for them', async () => {
      await requestWithBudget(500);
      const probes = probeSeeing([], [], [5461]);
      await unitRunner({ store, clock, steps: steps({ prepare: preparing }), probes }).run(drillId);
      const started = (await store.read<DrillEvent>(drillId)).find((event) => event.type === 'ProbeStarted');
      expect(started?.data).toMatchObject({ unwrittenSlots: [5461] });
    });
  });

  it('resumes a drill a crashed worker left in a step: the step runs again, marked resumed, not started twice', async () => {
    await request();
    const stream = await DrillStream.open(store, clock, drillId);
    await stream.append(
      { type: 'DrillStarted', data: { plan: [...GROUP_FAILOVER_STEPS] } },
      { type: 'StepStarted', data: { step: 'prepare' } },
      { type: 'StepSucceeded', data: { step: 'prepare', durationMs: 1 } },
      { type: 'StepStarted', data: { step: 'kill' } },
    );
    const { state } = await runner().run(drillId);
    expect(ran).toEqual(GROUP_FAILOVER_STEPS.slice(1));
    expect(state).toMatchObject({ status: 'succeeded', resumes: 1 });
    const events = await recorded();
    expect(events.filter((event) => event === 'StepStarted:kill')).toHaveLength(1);
    expect(events.slice(5, 9)).toEqual(['DrillResumed', 'LeaseAcquired', 'StepResumed:kill', 'StepSucceeded:kill']);
    ran = [];
    expect((await runner().run(drillId)).state.status).toBe('succeeded');
    expect(ran).toEqual([]);
  });

  it('aborted before the kill, stops with every later step skipped and nothing touched', async () => {
    await request();
    const { state } = await runner({
      prepare: async () => {
        ran.push('prepare');
        await requestAbort();
        return [];
      },
    }).run(drillId);
    expect(ran).toEqual(['prepare']);
    expect(state).toMatchObject({ status: 'aborted', error: 'aborted: maintenance window closed' });
    expect(state.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect((await recorded()).slice(-3)).toEqual(['AbortRequested', 'StepSucceeded:prepare', 'DrillAborted']);
  });

  it('aborted after the kill, finishes the failover so that the target ends healthy', async () => {
    await request();
    const { state } = await runner({
      kill: async () => {
        ran.push('kill');
        await requestAbort();
        return [];
      },
    }).run(drillId);
    expect(ran).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(state.status).toBe('aborted');
    expect(state.recovery).toEqual(['takeover', 'forget', 'meet', 'replicate', 'verify']);
    const events = await recorded();
    expect(events.slice(events.indexOf('StepSucceeded:kill'), events.indexOf('StepSucceeded:kill') + 3)).toEqual([
      'StepSucceeded:kill',
      'RecoveryStarted',
      'StepStarted:takeover',
    ]);
    expect(events.at(-1)).toBe('DrillAborted');
  });

  it('aborted during the last step, ends aborted with nothing left to recover', async () => {
    await request();
    const verify: DrillStep = async () => {
      ran.push('verify');
      await requestAbort('the window closed during verify');
      return [];
    };
    const { state } = await runner({ verify }).run(drillId);
    expect(ran).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(state).toMatchObject({ status: 'aborted', error: 'aborted: the window closed during verify' });
    expect(state.steps.every((step) => step.status === 'succeeded')).toBe(true);
    const aborted = (await store.read<DrillEvent>(drillId)).at(-1);
    expect(aborted).toMatchObject({ type: 'DrillAborted', data: { recovered: [] } });
  });

  it('aborts a queued drill without starting it', async () => {
    await request();
    await requestAbort('not today');
    const { state } = await runner().run(drillId);
    expect(ran).toEqual([]);
    expect(state).toMatchObject({ status: 'aborted', error: 'aborted: not today' });
  });

  it('parks before the next step when asked to, and another run resumes from there', async () => {
    await request();
    let park = false;
    const parked = await runner({
      forget: async () => {
        ran.push('forget');
        park = true;
        return [];
      },
    }).run(drillId, { shouldPark: () => park });
    expect(parked.outcome).toBe('parked');
    expect(ran).toEqual(['prepare', 'kill', 'takeover', 'forget']);
    ran = [];
    expect((await runner().run(drillId)).state.status).toBe('succeeded');
    expect(ran).toEqual(['meet', 'replicate', 'verify']);
  });

  describe('with a target held by another drill', () => {
    const busy: DrillLocks = {
      acquire: async () => ({ acquired: false, holder: { drillId: 'f00d0000-0000-4000-8000-000000000000' } }),
      cancelReservation: async () => undefined,
    };
    const busyRunner = () => unitRunner({ store, clock, steps: steps(), locks: busy });

    it('refuses the drill, naming the holder', async () => {
      await request();
      const { state } = await busyRunner().run(drillId);
      expect(state).toMatchObject({
        status: 'failed',
        error: 'refused: preflight failed: target-free: target lab is busy with drill f00d0000-0000-4000-8000-000000000000',
      });
    });

    it('or waits, recording nothing, when the request said to', async () => {
      await request();
      const result = await busyRunner().run(drillId, { waitForTarget: true });
      expect(result).toMatchObject({ outcome: 'waiting', holder: { drillId: 'f00d0000-0000-4000-8000-000000000000' } });
      expect(await recorded()).toEqual(['DrillRequested']);
    });

    it('but never refuses a drill that has started: it may be past its kill, so it waits', async () => {
      await request();
      const stream = await DrillStream.open(store, clock, drillId);
      await stream.append(
        { type: 'DrillStarted', data: { plan: [...GROUP_FAILOVER_STEPS] } },
        { type: 'StepStarted', data: { step: 'kill' } },
      );
      const result = await busyRunner().run(drillId);
      expect(result).toMatchObject({ outcome: 'waiting', state: { status: 'running' } });
      expect((await recorded()).at(-1)).toBe('StepStarted:kill');
    });
  });

  it('stops without a word when it loses its lease: the new holder records the rest', async () => {
    await request();
    let held = true;
    const losing: DrillLocks = {
      acquire: async () => ({
        acquired: true,
        lease: {
          token: 7,
          assertHeld: async () => {
            if (!held) {
              throw new LeaseLostError('lab', drillId, 7);
            }
          },
          release: async () => undefined,
          holdForResume: async () => undefined,
        },
      }),
      cancelReservation: async () => undefined,
    };
    const kill: DrillStep = async () => {
      held = false;
      ran.push('kill');
      return [];
    };
    const { outcome } = await unitRunner({ store, clock, steps: steps({ kill }), locks: losing }).run(drillId);
    expect(outcome).toBe('parked');
    expect(ran).toEqual(['prepare', 'kill']);
    expect((await recorded()).at(-1)).toBe('StepStarted:kill');
  });

  it('asks for a fencing token past the one its log last recorded, so that tokens grow even if the lock store forgot them', async () => {
    await request();
    const floors: (number | undefined)[] = [];
    const counting = (token: number): DrillLocks => ({
      acquire: async (_target, _drillId, minToken) => {
        floors.push(minToken);
        return {
          acquired: true,
          lease: { token, assertHeld: async () => undefined, release: async () => undefined, holdForResume: async () => undefined },
        };
      },
      cancelReservation: async () => undefined,
    });
    const parkAfterKill = () => ran.at(-1) === 'kill';
    await unitRunner({ store, clock, steps: steps(), locks: counting(7) }).run(drillId, { shouldPark: parkAfterKill });
    await unitRunner({ store, clock, steps: steps(), locks: counting(8) }).run(drillId);
    expect(floors).toEqual([1, 8]);
  });

  describe("interrupted by an error between steps (the lease's Redis unreachable, say)", () => {
    /** What the runs did with the target when they let go of it. */
    let letGo: string[];
    beforeEach(() => {
      letGo = [];
    });
    const flakyLocks = (failures: number): DrillLocks => ({
      acquire: async () => ({
        acquired: true,
        lease: {
          token: 3,
          // The check before forget fails, and the run throws with the drill unfinished.
          assertHeld: async () => {
            if (ran.at(-1) === 'takeover' && failures-- > 0) {
              throw new Error('Reached the max retries per request limit (which is 2).');
            }
          },
          release: async () => {
            letGo.push('released');
          },
          holdForResume: async (ms) => {
            letGo.push(`held for ${ms} ms`);
          },
        },
      }),
      cancelReservation: async () => {
        letGo.push('reservation cancelled');
      },
    });

    it('leaves the drill running, and a later run resumes it where it stood', async () => {
      await request();
      const locks = flakyLocks(1);
      await expect(unitRunner({ store, clock, steps: steps(), locks }).run(drillId)).rejects.toThrow('max retries per request');
      expect(ran).toEqual(['prepare', 'kill', 'takeover']);
      // No other drill may take the target before this one resumes.
      expect(letGo).toEqual(['held for 60000 ms']);
      const { state } = await unitRunner({ store, clock, steps: steps(), locks }).run(drillId);
      expect(letGo).toEqual(['held for 60000 ms', 'released']);
      expect(state.status).toBe('succeeded');
      // The kill ran once. The takeover's success was still to go out with forget's start, so it
      // runs again, as resumed, and finds its work done (steps are re-entrant).
      expect(ran).toEqual(['prepare', 'kill', 'takeover', 'takeover', 'forget', 'meet', 'replicate', 'verify']);
      expect(await recorded()).toContain('StepResumed:takeover');
    });

    it('is failed by giveUp with the reason, on the step under way, when it keeps being interrupted', async () => {
      await request();
      await expect(unitRunner({ store, clock, steps: steps(), locks: flakyLocks(1) }).run(drillId)).rejects.toThrow();
      const state = await unitRunner({ store, clock, steps: steps(), locks: flakyLocks(0) }).giveUp(
        drillId,
        'interrupted 8 times; the last time: Connection is closed.',
      );
      expect(letGo).toEqual(['held for 60000 ms', 'reservation cancelled']);
      expect(state).toMatchObject({ status: 'failed', error: 'interrupted 8 times; the last time: Connection is closed.' });
      expect((await recorded()).slice(-2)).toEqual(['StepFailed:takeover', 'DrillFailed']);
      // A finished drill is left as it is.
      expect(await runner().giveUp(drillId, 'again')).toMatchObject({ status: 'failed', error: state.error });
      expect((await recorded()).at(-1)).toBe('DrillFailed');
    });
  });

  it('waits for a Docker engine out of reach to answer again before the next try of a step', async () => {
    await request();
    let pings = 0;
    const nodes = {
      ping: async () => {
        pings += 1;
        if (pings < 3) {
          throw new DockerEngineError(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }));
        }
      },
    } as unknown as NodeControl;
    let kills = 0;
    const { state } = await unitRunner({
      store,
      clock,
      nodes,
      steps: steps({
        kill: async () => {
          kills += 1;
          if (kills === 1) {
            throw new DockerEngineError(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }));
          }
          return [];
        },
      }),
    }).run(drillId);
    expect(state.status).toBe('succeeded');
    expect([kills, pings]).toEqual([2, 3]);
    expect(await recorded()).toContain('StepRetried:kill');
  });

  it('parks when the audit log’s disk is full at a step boundary, and a later run resumes with nothing lost', async () => {
    await request();
    const db = sqliteHandle(dataSource);
    const fill = () => db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    // Larger than any free page the file still has.
    const large: DrillEvent = { type: 'NodeMet', data: { node: 'b4', nodeId: 'b4-id', met: ['b'.repeat(64 * 1024)] } };
    const parked = await runner({
      takeover: async () => {
        ran.push('takeover');
        // SQLite's page ceiling fails the next write as a full disk does, with SQLITE_FULL.
        fill();
        return [large];
      },
    }).run(drillId);
    expect(parked).toMatchObject({
      outcome: 'parked',
      logDown: expect.stringContaining("the audit log's disk is full"),
      state: { status: 'running' },
    });
    expect((await recorded()).at(-1)).toBe('StepStarted:takeover');

    db.pragma('max_page_count = 1073741823');
    const { state } = await runner().run(drillId);
    expect(state.status).toBe('succeeded');
    expect(ran).toEqual(['prepare', 'kill', 'takeover', 'takeover', 'forget', 'meet', 'replicate', 'verify']);
    expect(await recorded()).toContain('StepResumed:takeover');
  });

  it('fails a drill whose target is no longer configured, before any step', async () => {
    await request('gone');
    const { state } = await runner().run(drillId);
    expect(ran).toEqual([]);
    expect(state).toMatchObject({ status: 'failed', error: 'unknown target "gone"; known targets: lab' });
  });
});
