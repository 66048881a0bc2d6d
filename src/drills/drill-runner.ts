import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import type { Clock } from '../common/clock.js';
import { errorMessage, isTransient } from '../common/app-error.js';
import { isLogDown, type EventStore } from '../events/event-store.js';
import type { NodeControl } from '../nodes/node-control.js';
import { LeaseLostError } from '../queue/target-locks.js';
import { failoverLayout, targetNodes, type DrillTarget } from '../targets/drill-target.js';
import type { TargetRegistry } from '../targets/target-registry.js';
import { NO_CRASH_POINTS, type CrashPoints } from './crash-points.js';
import { ProbeWindow, type ProbeFactory } from './probe-window.js';
import type { DrillEvent } from './drill-events.js';
import { SCENARIO_STEPS, type StepName } from './scenarios.js';
import { decide, type BetweenSteps, type BetweenStepsAction, type StopConditionData } from './drill-decider.js';
import type { DrillLocks, TargetLease } from './drill-locks.js';
import { isFinished, killHasStarted, type DrillState } from './drill-state.js';
import { DrillStream, DrillTakenOverError } from './drill-stream.js';
import { elapsedSince, type DrillSettings, type StepContext, type StepRegistry } from './steps/step-context.js';
import { PreflightFailedError } from './preflight.js';
import { StandbyLookAhead } from './steps/standby-look.js';
import { StandbysLostError } from './steps/standbys-lost.js';
import { satisfied, settlesWithin, waitFor, WaitTimeoutError } from '../common/wait-for.js';
import { DockerEngineError } from '../docker/docker-engine.js';

export interface DrillRunnerDependencies {
  readonly store: EventStore;
  readonly targets: TargetRegistry;
  readonly admin: ClusterAdmin;
  readonly keyspace: ClusterKeyspace;
  readonly nodeControlFor: (target: DrillTarget) => NodeControl;
  readonly clock: Clock;
  readonly settings: DrillSettings;
  readonly steps: StepRegistry;
  readonly locks: DrillLocks;
  /** Names this worker in the events it records. */
  readonly worker: string;
  readonly crashPoints?: CrashPoints;
  /** Makes the live client probe; without it drills run with no probe. */
  readonly probes?: ProbeFactory;
  /** The kill switch: a drill that has not started does not start while it is engaged. */
  readonly halt?: {
    state(): Promise<{ readonly engaged: boolean; readonly reason?: string; readonly by?: string; readonly since?: string }>;
  };
}

export interface RunOptions {
  /** When another drill holds the target: wait (the caller runs this again later) instead of failing. */
  readonly waitForTarget?: boolean;
  /** Asked before every step; true stops the drill there, for another worker to resume (shutdown). */
  readonly shouldPark?: () => boolean;
}

export type RunResult =
  | { readonly outcome: 'finished'; readonly state: DrillState }
  | { readonly outcome: 'waiting'; readonly state: DrillState; readonly holder: { readonly drillId: string } }
  /**
   * Stopped before a step, because another worker took the drill over, or because the audit log
   * takes no append (`logDown`: the failure's words, its disk full or its database unavailable;
   * run it again until it does); it is not finished.
   */
  | { readonly outcome: 'parked'; readonly state: DrillState; readonly logDown?: string };

class StepTimeoutError extends Error {
  constructor(
    step: StepName,
    timeoutMs: number,
    /** Settles when the step given up on has actually stopped: its waits are bounded, so it does. */
    readonly settled: Promise<unknown>,
  ) {
    super(`${step} was still running after ${timeoutMs} ms (the step watchdog)`);
    this.name = 'StepTimeoutError';
  }
}

/**
 * Runs a drill to its end, or from wherever it stands when a worker died in the middle of it.
 * It takes the target's lease, then runs each step that has not succeeded, recording the step's
 * start (or resumption), the domain events it caused, and its outcome. Every step is re-entrant:
 * it reads the live cluster and does only what is still to do. Before every step the runner
 * checks the lease and looks for an abort request: an abort before the kill stops the drill with
 * the target untouched; an abort after it finishes the failover, so that the target ends healthy.
 */
export class DrillRunner {
  private readonly crashPoints: CrashPoints;

  constructor(private readonly deps: DrillRunnerDependencies) {
    this.crashPoints = deps.crashPoints ?? NO_CRASH_POINTS;
  }

  async run(drillId: string, options: RunOptions = {}): Promise<RunResult> {
    const stream = await DrillStream.open(this.deps.store, this.deps.clock, drillId);
    const finished = (): RunResult => ({ outcome: 'finished', state: stream.state });
    if (isFinished(stream.state)) {
      return finished();
    }
    if (stream.state.status === 'queued' && stream.state.abortRequested) {
      await stream.append({ type: 'DrillAborted', data: { reason: stream.state.abortRequested.reason, recovered: [] } });
      await this.deps.locks.cancelReservation(stream.state.target, drillId);
      return finished();
    }
    if (stream.state.status === 'queued' && this.deps.halt) {
      const halt = await this.deps.halt.state();
      if (halt.engaged) {
        const problem = `drills are halted since ${halt.since} by ${halt.by}: ${halt.reason}`;
        await stream.append({ type: 'DrillRefused', data: { failedChecks: [{ check: 'halt-released', problem }] } });
        await this.deps.locks.cancelReservation(stream.state.target, drillId);
        return finished();
      }
    }
    let target: DrillTarget;
    try {
      target = this.deps.targets.get(stream.state.target);
    } catch (error) {
      await stream.append({ type: 'DrillFailed', data: { step: null, reason: errorMessage(error) } });
      return finished();
    }
    // Past the last token on record, should the queue's Redis have lost its counter.
    const granted = await this.deps.locks.acquire(target.name, drillId, (stream.state.fencingToken ?? 0) + 1);
    if (!granted.acquired) {
      // A drill that has started is never refused: it may be past its kill, and it waits for the target instead.
      if (options.waitForTarget || stream.state.status !== 'queued') {
        return { outcome: 'waiting', state: stream.state, holder: granted.holder };
      }
      await stream.append({
        type: 'DrillRefused',
        data: { failedChecks: [{ check: 'target-free', problem: `target ${target.name} is busy with drill ${granted.holder.drillId}` }] },
      });
      // A reservation of its own, if the request made one, goes with it.
      await this.deps.locks.cancelReservation(target.name, drillId);
      return finished();
    }
    const probe = new ProbeWindow(this.deps.probes);
    let interrupted = false;
    try {
      return await this.drive(stream, target, granted.lease, options, probe);
    } catch (error) {
      if (error instanceof DrillTakenOverError || error instanceof LeaseLostError) {
        return { outcome: 'parked', state: stream.state };
      }
      interrupted = true;
      if (isLogDown(error)) {
        // Nothing can be recorded, not even a failure: the drill waits, its target kept, for the log.
        return { outcome: 'parked', state: stream.state, logDown: error.message };
      }
      throw error;
    } finally {
      probe.discard();
      // An interrupted drill is run again later: until then the target stays its own.
      await (interrupted ? granted.lease.holdForResume(RESUME_HOLD_MS) : granted.lease.release()).catch(() => undefined);
    }
  }

  /** The drill as its events leave it. */
  async stateOf(drillId: string): Promise<DrillState> {
    return (await DrillStream.open(this.deps.store, this.deps.clock, drillId)).state;
  }

  /** How far the drill's stream has got: the sequence of its last event. */
  async progressOf(drillId: string): Promise<number> {
    return (await DrillStream.open(this.deps.store, this.deps.clock, drillId)).state.version;
  }

  /**
   * Ends a drill that workers kept being interrupted in, so that it does not stay `running` for
   * ever: the step under way fails with the reason, then the drill, and the target held for its
   * resumption is let go.
   */
  async giveUp(drillId: string, reason: string): Promise<DrillState> {
    const stream = await DrillStream.open(this.deps.store, this.deps.clock, drillId);
    if (isFinished(stream.state)) {
      return stream.state;
    }
    const running = stream.state.steps.find((step) => step.status === 'running');
    const target = this.deps.targets.has(stream.state.target) ? this.deps.targets.get(stream.state.target) : undefined;
    await stream.append(
      // The probe ran in a run that is gone; node settings the drill changed go back, as at any end.
      ...(await new ProbeWindow(undefined).close(stream.state)),
      ...(target ? await this.settingsBack(stream.state, target) : []),
      ...(running
        ? [
            {
              type: 'StepFailed',
              data: { step: running.name, durationMs: elapsedSince(this.deps.clock, Date.parse(running.startedAt!)), error: reason },
            } as const,
          ]
        : []),
      { type: 'DrillFailed', data: { step: running?.name ?? null, reason } },
    );
    // The target was held for the drill's resumption, which will not come.
    await this.deps.locks.cancelReservation(stream.state.target, drillId).catch(() => undefined);
    return stream.state;
  }

  private async drive(
    stream: DrillStream,
    target: DrillTarget,
    lease: TargetLease,
    options: RunOptions,
    probe: ProbeWindow,
  ): Promise<RunResult> {
    const { worker } = this.deps;
    const leaseEvent: DrillEvent = { type: 'LeaseAcquired', data: { target: target.name, fencingToken: lease.token, worker } };
    await stream.append(
      stream.state.status === 'queued'
        ? { type: 'DrillStarted', data: { plan: [...SCENARIO_STEPS[stream.state.scenario]] } }
        : { type: 'DrillResumed', data: { worker } },
      leaseEvent,
    );
    const context = this.context(stream, target, lease);
    for (;;) {
      await lease.assertHeld();
      await stream.refresh();
      const action = this.decideBetweenSteps(stream, {
        kind: 'between-steps',
        probe: { outageMs: probe.outageMs(), failedWrites: probe.failedWrites() },
        parkRequested: options.shouldPark?.() ?? false,
      });
      switch (action.kind) {
        case 'abort-untouched':
          await stream.append(...(await probe.close(stream.state)), ...(await this.settingsBack(stream.state, target)), {
            type: 'DrillAborted',
            data: { reason: action.reason, recovered: [] },
          });
          return { outcome: 'finished', state: stream.state };
        case 'park':
          await stream.flush();
          return { outcome: 'parked', state: stream.state };
        case 'close':
          return this.close(stream, target, probe);
        case 'run-step': {
          const ended = await this.runStep(action.step, action.resumed, stream, context, target, probe);
          if (ended) {
            return ended;
          }
        }
      }
    }
  }

  /** Decides between steps; what only records (a stop condition, the recovery's start) is staged, then decided on again. */
  private decideBetweenSteps(
    stream: DrillStream,
    signal: BetweenSteps,
  ): Exclude<BetweenStepsAction, { kind: 'record-stop-condition' | 'start-recovery' }> {
    for (;;) {
      const action = decide(stream.state, signal);
      switch (action.kind) {
        case 'record-stop-condition':
          stream.stage(...stopEvents(action.met));
          break;
        case 'start-recovery':
          stream.stage({ type: 'RecoveryStarted', data: { steps: [...action.steps], reason: action.reason } });
          break;
        default:
          return action;
      }
    }
  }

  /**
   * Runs one step. Its events and success are staged, to go out with the next step's start: one
   * durable write, not three; between the kill and the takeover that is the only write. Returns
   * the drill's result when the step's failure ends it.
   */
  private async runStep(
    step: StepName,
    resumed: boolean,
    stream: DrillStream,
    context: StepContext,
    target: DrillTarget,
    probe: ProbeWindow,
  ): Promise<RunResult | undefined> {
    const { clock } = this.deps;
    await stream.append(resumed ? { type: 'StepResumed', data: { step } } : { type: 'StepStarted', data: { step } });
    // The step boundary: the last step's success and this one's start are on record, nothing of this one is done.
    this.crashPoints.reach(`${step}:started`);
    const started = clock.now();
    const outcome = await this.attempt(step, context, stream);
    if (!('error' in outcome)) {
      stream.stage(...outcome.events, { type: 'StepSucceeded', data: { step, durationMs: elapsedSince(clock, started) } });
      if (step === 'prepare') {
        // The probe needs the topology prepare found, which its staged events carry.
        stream.stage(...(await probe.start(stream.state, target)));
      }
      return undefined;
    }
    const error = errorMessage(outcome.error);
    const timeout = outcome.error instanceof StepTimeoutError ? outcome.error : undefined;
    stream.stage({ type: 'StepFailed', data: { step, durationMs: elapsedSince(clock, started), error } });
    // Past the kill, a failure may come from a node that hung or died: the end names it.
    const silentNodes =
      killHasStarted(stream.state) && !(outcome.error instanceof PreflightFailedError) ? await this.silentNodes(stream.state, target) : [];
    const action = decide(stream.state, {
      kind: 'step-failed',
      step,
      error,
      timedOut: timeout !== undefined,
      ...(outcome.error instanceof PreflightFailedError ? { failedChecks: outcome.error.failedChecks } : {}),
      ...(outcome.error instanceof StandbysLostError ? { lostSlots: outcome.error.lost } : {}),
      ...(silentNodes.length > 0 ? { silentNodes } : {}),
    });
    switch (action.kind) {
      case 'stop-timed-out-step': {
        await stream.append(...stopEvents(action.met));
        const stopped = await settlesWithin(timeout!.settled, this.deps.settings.stepTimeoutMs);
        if (stopped) {
          return undefined;
        }
        await stream.append(...(await probe.close(stream.state)), {
          type: 'DrillFailed',
          data: { step, reason: `${step} failed: ${error}, and was still running ${this.deps.settings.stepTimeoutMs} ms later` },
        });
        return { outcome: 'finished', state: stream.state };
      }
      case 'refuse':
        await stream.append(...(await probe.close(stream.state)), ...(await this.settingsBack(stream.state, target)), {
          type: 'DrillRefused',
          data: { failedChecks: [...action.failedChecks] },
        });
        return { outcome: 'finished', state: stream.state };
      case 'fail':
        await stream.append(...(await probe.close(stream.state)), ...(await this.settingsBack(stream.state, target)), {
          type: 'DrillFailed',
          data: { step: action.step, reason: action.reason },
        });
        return { outcome: 'finished', state: stream.state };
    }
  }

  /**
   * The steps are done: the probe closes and settings go back, then the drill ends. Closing the
   * probe reads its writes back, which takes a while: an abort that comes in meanwhile still
   * counts, so the end is decided after it.
   */
  private async close(stream: DrillStream, target: DrillTarget, probe: ProbeWindow): Promise<RunResult> {
    const closing = [...(await probe.close(stream.state)), ...(await this.settingsBack(stream.state, target))];
    await stream.refresh();
    const { end } = decide(stream.state, { kind: 'closed' });
    await stream.append(
      ...closing,
      end.outcome === 'succeeded'
        ? { type: 'DrillSucceeded', data: { durationMs: elapsedSince(this.deps.clock, Date.parse(stream.state.startedAt!)) } }
        : { type: 'DrillAborted', data: { reason: end.reason, recovered: [...end.recovered] } },
    );
    return { outcome: 'finished', state: stream.state };
  }

  /**
   * However the drill ends, node settings it changed go back to what they were (replica
   * migration, held off while masters change), so that no drill leaves its mark on the target.
   */
  private async settingsBack(state: DrillState, target: DrillTarget): Promise<DrillEvent[]> {
    const paused = Object.entries(state.migrationPaused ?? {});
    if (paused.length === 0) {
      return [];
    }
    const nodes: string[] = [];
    const failed: { node: string; error: string }[] = [];
    for (const [name, previous] of paused) {
      const node = targetNodes(target).find((candidate) => candidate.name === name);
      try {
        await this.deps.admin.configSet(node!, 'cluster-allow-replica-migration', previous);
        nodes.push(name);
      } catch (error) {
        failed.push({ node: name, error: errorMessage(error) });
      }
    }
    return [{ type: 'ReplicaMigrationRestored', data: { nodes, ...(failed.length > 0 ? { failed } : {}) } }];
  }

  /**
   * The target's nodes, other than the serving group the drill kills, that do not answer `ROLE` within a
   * moment: after a step failed past the kill, these are what hung or broke it (a paused
   * container, a dead standby).
   */
  private async silentNodes(state: DrillState, target: DrillTarget): Promise<string[]> {
    const { servingMasters, servingReplicas } = failoverLayout(target, state.direction?.from ?? 'A');
    const killed = new Set([...servingMasters, ...servingReplicas].map((node) => node.name));
    const alive = targetNodes(target).filter((node) => !killed.has(node.name));
    const answers = await Promise.all(
      alive.map(async (node) => {
        const answered = await settlesWithin(
          Promise.resolve().then(() => this.deps.admin.role(node)),
          SILENT_AFTER_MS,
        ).catch(() => false);
        return answered ? undefined : node.name;
      }),
    );
    return answers.filter((name) => name !== undefined);
  }

  /** Runs a step under its watchdog, again after a transient error, up to the configured retries. */
  private async attempt(
    step: StepName,
    context: StepContext,
    stream: DrillStream,
  ): Promise<{ events: readonly DrillEvent[] } | { error: unknown }> {
    const { stepTimeoutMs, stepRetries, retryBaseMs } = this.deps.settings;
    for (let attempt = 1; ; attempt++) {
      try {
        return { events: await withWatchdog(this.deps.steps[step](context), step, stepTimeoutMs) };
      } catch (error) {
        if (error instanceof DrillTakenOverError || error instanceof LeaseLostError || isLogDown(error)) {
          throw error;
        }
        if (!isTransient(error) || attempt > stepRetries) {
          return { error };
        }
        const delayMs = retryBaseMs * 2 ** (attempt - 1);
        await stream.append({ type: 'StepRetried', data: { step, attempt, error: errorMessage(error), delayMs } });
        // Backoff before the next try: the transient condition gets time to clear.
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (isEngineOutOfReach(error)) {
          // A restarting engine takes seconds, not the backoff's fraction of one: the next try waits for it, bounded.
          const answering = await this.engineAnswers(context.nodes);
          if (!answering.answered) {
            return { error: new Error(`the Docker engine did not answer for ${ENGINE_WAIT_MS} ms: ${answering.lastError}`) };
          }
        }
      }
    }
  }

  /** Waits until the container engine answers again, up to `ENGINE_WAIT_MS`. */
  private async engineAnswers(nodes: NodeControl): Promise<{ answered: true } | { answered: false; lastError: string }> {
    try {
      await waitFor(
        async () => {
          await nodes.ping();
          return satisfied(undefined);
        },
        { description: 'the Docker engine to answer', timeoutMs: ENGINE_WAIT_MS, intervalMs: 250 },
      );
      return { answered: true };
    } catch (error) {
      return { answered: false, lastError: error instanceof WaitTimeoutError ? error.lastReason : errorMessage(error) };
    }
  }

  private context(stream: DrillStream, target: DrillTarget, lease: TargetLease): StepContext {
    const { admin, keyspace, clock, settings } = this.deps;
    return {
      drillId: stream.state.id,
      get state() {
        return stream.state;
      },
      target,
      // Known once `prepare` has found which group serves.
      get layout() {
        return failoverLayout(target, stream.state.direction?.from ?? 'A');
      },
      admin,
      keyspace,
      nodes: this.deps.nodeControlFor(target),
      clock,
      settings,
      record: (...events) => stream.append(...events),
      checkpoint: async (point) => {
        await lease.assertHeld();
        this.crashPoints.reach(point);
      },
      drillState: (drillId) => this.stateOf(drillId),
      lookAhead: new StandbyLookAhead(),
    };
  }
}

/**
 * The step's result, or a `StepTimeoutError` once the watchdog fires. Every wait inside a step is
 * bounded by its own timeout, so a step the watchdog gave up on still ends soon after.
 */
async function withWatchdog<T>(work: Promise<T>, step: StepName, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    timer = setTimeout(() => reject(new StepTimeoutError(step, timeoutMs, settled)), timeoutMs);
  });
  try {
    return await Promise.race([work, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a step whose engine call found the engine out of reach waits for it before its next try. */
const ENGINE_WAIT_MS = 30_000;

/** An engine call that never reached the engine (refused, reset, timed out), as when it restarts. */
const isEngineOutOfReach = (error: unknown): boolean => error instanceof DockerEngineError && error.statusCode === undefined;

/** How long a node may take to answer `ROLE` before the watchdog's look names it as not answering. */
const SILENT_AFTER_MS = 1_000;

/** How long an interrupted drill keeps its target for the run that resumes it: past the longest pause between runs (30 s). */
const RESUME_HOLD_MS = 60_000;

/** The actor of what the service decides on its own, so that no one seems to have asked for it. */
export const STOP_CONDITION_ACTOR = 'stop-condition';

/** A stop condition on record, and the abort it causes: the abort's own path does the rest. */
function stopEvents(met: StopConditionData): DrillEvent[] {
  const events: DrillEvent[] = [
    { type: 'StopConditionMet', data: met },
    { type: 'AbortRequested', data: { reason: `stop condition: ${met.detail}` } },
  ];
  return events.map((event) => ({ ...event, actor: STOP_CONDITION_ACTOR }));
}
