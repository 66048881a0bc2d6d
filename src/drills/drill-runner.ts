import type { ClusterAdmin } from '../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../cluster/cluster-keyspace.js';
import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/wait-for.js';
import type { EventStore } from '../events/event-store.js';
import type { NodeControl } from '../nodes/node-control.js';
import { failoverLayout, type DrillTarget } from '../targets/drill-target.js';
import type { TargetRegistry } from '../targets/target-registry.js';
import { STEP_NAMES, type DrillEvent } from './drill-events.js';
import { isFinished, nextStep, type DrillState } from './drill-state.js';
import { DrillStream } from './drill-stream.js';
import { elapsedSince, type DrillSettings, type StepContext, type StepRegistry } from './steps/step-context.js';

export interface DrillRunnerDependencies {
  readonly store: EventStore;
  readonly targets: TargetRegistry;
  readonly admin: ClusterAdmin;
  readonly keyspace: ClusterKeyspace;
  readonly nodeControlFor: (target: DrillTarget) => NodeControl;
  readonly clock: Clock;
  readonly settings: DrillSettings;
  readonly steps: StepRegistry;
}

/**
 * Runs a requested drill to its end: folds its events, runs each step that has not succeeded,
 * and records the step's start, the domain events it caused, and its outcome with its duration.
 * A failed step fails the drill; the failure is recorded, not thrown.
 */
export class DrillRunner {
  constructor(private readonly deps: DrillRunnerDependencies) {}

  async run(drillId: string): Promise<DrillState> {
    const { store, clock } = this.deps;
    const stream = await DrillStream.open(store, clock, drillId);
    if (isFinished(stream.state)) {
      return stream.state;
    }
    let target: DrillTarget;
    try {
      target = this.deps.targets.get(stream.state.target);
    } catch (error) {
      await stream.append({ type: 'DrillFailed', data: { step: null, reason: errorMessage(error) } });
      return stream.state;
    }
    if (stream.state.status === 'queued') {
      await stream.append({ type: 'DrillStarted', data: { plan: [...STEP_NAMES] } });
    }
    const started = clock.now();
    const context = this.context(stream, target);
    // A step's events and success go out with the next step's start: one durable write, not three.
    // Between the kill and the takeover that is the only write.
    let finishing: DrillEvent[] = [];
    for (let step = nextStep(stream.state); step; step = nextStep(stream.state, step)) {
      await stream.append(...finishing, { type: 'StepStarted', data: { step } });
      const stepStarted = clock.now();
      let caused: readonly DrillEvent[];
      try {
        caused = await this.deps.steps[step](context);
      } catch (error) {
        await stream.append(
          { type: 'StepFailed', data: { step, durationMs: elapsedSince(clock, stepStarted), error: errorMessage(error) } },
          { type: 'DrillFailed', data: { step, reason: `${step} failed: ${errorMessage(error)}` } },
        );
        return stream.state;
      }
      finishing = [...caused, { type: 'StepSucceeded', data: { step: step, durationMs: elapsedSince(clock, stepStarted) } }];
    }
    await stream.append(...finishing, { type: 'DrillSucceeded', data: { durationMs: elapsedSince(clock, started) } });
    return stream.state;
  }

  private context(stream: DrillStream, target: DrillTarget): StepContext {
    const { admin, keyspace, clock, settings } = this.deps;
    return {
      drillId: stream.state.id,
      get state() {
        return stream.state;
      },
      target,
      layout: failoverLayout(target, stream.state.direction?.from ?? 'A'),
      admin,
      keyspace,
      nodes: this.deps.nodeControlFor(target),
      clock,
      settings,
      record: (...events) => stream.append(...events),
    };
  }
}
