import type { DrillEvent } from './drill-events.js';
import { FINISHED_ONCE_STARTED, RECOVERY_STEPS, type StepName } from './scenarios.js';
import { killHasStarted, nextStep, type DrillState } from './drill-state.js';
import type { FailedCheck } from './preflight.js';

export type StopConditionData = Extract<DrillEvent, { type: 'StopConditionMet' }>['data'];

/** What the live probe has seen so far; both undefined without a running probe. */
export interface ProbeFigures {
  /** The clients' longest stretch without a successful write. */
  readonly outageMs?: number;
  /** The clients' writes that failed or got no answer. */
  readonly failedWrites?: number;
}

/** What the runner observes from outside the drill's events, and decides on. */
export type DrillSignal = BetweenSteps | StepFailed | Closed;

/** Between two steps, or after the last one, with the lease checked and the stream read again. */
export interface BetweenSteps {
  readonly kind: 'between-steps';
  readonly probe: ProbeFigures;
  /** The worker was asked to stop (a shutdown): another worker resumes the drill. */
  readonly parkRequested: boolean;
}

/** The step just run failed, retries spent. */
export interface StepFailed {
  readonly kind: 'step-failed';
  readonly step: StepName;
  readonly error: string;
  /** The step watchdog gave up on it: the run may still be going. */
  readonly timedOut: boolean;
  /** The checks a preflight found failing: the drill is refused, not failed. */
  readonly failedChecks?: readonly FailedCheck[];
  /** Past the kill: target nodes, other than the killed ones, that gave no answer once the step failed (hung or dead). */
  readonly silentNodes?: readonly string[];
  /** Shards whose standby died after the kill: their slots have no node left to serve them. */
  readonly lostSlots?: readonly LostSlots[];
}

/** A shard that lost every copy of its data: the serving master was killed and its standby is down. */
export interface LostSlots {
  /** The standby that was to take the slots over. */
  readonly node: string;
  /** `start-end` ranges joined by spaces, as the topology records them. */
  readonly slots: string;
}

/** The steps are done, the probe closed and the node settings put back. */
export interface Closed {
  readonly kind: 'closed';
}

/** How a drill that ran its steps to the end finishes. */
export type DrillEnd =
  { readonly outcome: 'succeeded' } | { readonly outcome: 'aborted'; readonly reason: string; readonly recovered: readonly StepName[] };

export type BetweenStepsAction =
  /** Record the stop condition and the abort it causes, then decide again. */
  | { readonly kind: 'record-stop-condition'; readonly met: StopConditionData }
  /** Record that the drill's steps shrank to these, which bring the target back to health, then decide again. */
  | { readonly kind: 'start-recovery'; readonly steps: readonly StepName[]; readonly reason: string }
  /** Stop before the kill: close the probe, put settings back, and end aborted with the target untouched. */
  | { readonly kind: 'abort-untouched'; readonly reason: string }
  /** Write what is pending and stop, unfinished, for another worker to resume. */
  | { readonly kind: 'park' }
  /** Run this step, marked resumed when a worker that stopped had started it. */
  | { readonly kind: 'run-step'; readonly step: StepName; readonly resumed: boolean }
  /** Nothing is left to run: close the probe and put settings back, then decide how the drill ends. */
  | { readonly kind: 'close' };

export type AfterFailureAction =
  /**
   * Record the timeout as a stop condition, and once the run given up on has stopped, go on on
   * the recovery path, where the step gets one more run: two runs of a step never act at once.
   */
  | { readonly kind: 'stop-timed-out-step'; readonly met: StopConditionData }
  | { readonly kind: 'refuse'; readonly failedChecks: readonly FailedCheck[] }
  | { readonly kind: 'fail'; readonly step: StepName; readonly reason: string };

export type FinishAction = { readonly kind: 'finish'; readonly end: DrillEnd };

export type DrillAction = BetweenStepsAction | AfterFailureAction | FinishAction;

export class DrillNotRunningError extends Error {
  constructor(drillId: string, status: string) {
    super(`drill ${drillId} is ${status}: there is nothing to decide`);
    this.name = 'DrillNotRunningError';
  }
}

/**
 * The drill's next move, from its state (with the events not yet written folded in) and what the
 * runner observed. Pure: the runner carries the action out.
 */
export function decide(state: DrillState, signal: BetweenSteps): BetweenStepsAction;
export function decide(state: DrillState, signal: StepFailed): AfterFailureAction;
export function decide(state: DrillState, signal: Closed): FinishAction;
export function decide(state: DrillState, signal: DrillSignal): DrillAction;
export function decide(state: DrillState, signal: DrillSignal): DrillAction {
  if (state.status !== 'running') {
    throw new DrillNotRunningError(state.id, state.status);
  }
  switch (signal.kind) {
    case 'between-steps':
      return betweenSteps(state, signal);
    case 'step-failed':
      return afterFailure(state, signal);
    case 'closed':
      return { kind: 'finish', end: endOf(state) };
  }
}

function betweenSteps(state: DrillState, signal: BetweenSteps): BetweenStepsAction {
  const met = probeBudgetExceeded(state, signal.probe);
  if (met) {
    return { kind: 'record-stop-condition', met };
  }
  const step = nextStep(state);
  if (!step) {
    // An abort during the last step leaves nothing to recover: the end says it was stopped.
    return { kind: 'close' };
  }
  const abort = state.abortRequested;
  if (abort && !state.recovery) {
    return killHasStarted(state)
      ? { kind: 'start-recovery', steps: stepsToRecover(state), reason: abort.reason }
      : { kind: 'abort-untouched', reason: abort.reason };
  }
  if (signal.parkRequested) {
    return { kind: 'park' };
  }
  return { kind: 'run-step', step, resumed: state.steps.find((candidate) => candidate.name === step)?.status === 'running' };
}

function afterFailure(
  state: DrillState,
  { step, error, timedOut, failedChecks, silentNodes = [], lostSlots = [] }: StepFailed,
): AfterFailureAction {
  const silent = silentNodes.length > 0 ? `; not answering: ${silentNodes.join(', ')}` : '';
  if (lostSlots.length > 0) {
    // No run of any step brings those slots back: the drill ends here, for a repair to take on.
    const lost = lostSlots.map(({ node, slots }) => `${slots} (standby ${node} is down)`).join('; ');
    return { kind: 'fail', step, reason: `${step} failed: slots lost: ${lost}${silent}` };
  }
  if (timedOut && isFailoverStepPastKill(state, step)) {
    return { kind: 'stop-timed-out-step', met: { condition: 'step-timeout', step, detail: `${error}${silent}` } };
  }
  if (failedChecks) {
    // Before any signal: a preflight in `prepare`, or the last look at the start of the kill.
    return { kind: 'refuse', failedChecks };
  }
  return { kind: 'fail', step, reason: `${step} failed: ${error}${silent}` };
}

function endOf(state: DrillState): DrillEnd {
  if (state.abortRequested) {
    // Asked to stop (or stopped by a stop condition), even during the last step: the drill was stopped, not finished.
    return { outcome: 'aborted', reason: state.abortRequested.reason, recovered: state.recovery ?? [] };
  }
  return { outcome: 'succeeded' };
}

/**
 * The probe's stop conditions: the clients' longest outage or their failed writes over the
 * budget the drill set, when nothing stops the drill already.
 */
function probeBudgetExceeded(state: DrillState, probe: ProbeFigures): StopConditionData | undefined {
  if (state.abortRequested || state.recovery) {
    return undefined;
  }
  const { maxClientOutageMs, maxFailedWrites } = state.options;
  const { outageMs, failedWrites } = probe;
  if (maxClientOutageMs !== undefined && outageMs !== undefined && outageMs > maxClientOutageMs) {
    const detail = `clients went ${Math.round(outageMs)} ms without a successful write; the budget is ${maxClientOutageMs} ms`;
    return { condition: 'client-outage', step: null, detail };
  }
  if (maxFailedWrites !== undefined && failedWrites !== undefined && failedWrites > maxFailedWrites) {
    const detail = `${failedWrites} client writes failed or got no answer; the budget is ${maxFailedWrites}`;
    return { condition: 'client-errors', step: null, detail };
  }
  return undefined;
}

/**
 * The steps an abort after the kill runs: the rest of the failover, as far as this scenario's steps
 * has it, and a failback that had started.
 */
function stepsToRecover(state: DrillState): StepName[] {
  return state.steps
    .filter(
      (step) =>
        (RECOVERY_STEPS.includes(step.name) && step.status !== 'succeeded') ||
        (FINISHED_ONCE_STARTED.includes(step.name) && (step.status === 'running' || step.status === 'failed')),
    )
    .map((step) => step.name);
}

/**
 * A step that must not be left half done, once the kill has started, with no abort or recovery
 * under way: what a step timeout stops into the recovery path instead of failing the drill.
 */
function isFailoverStepPastKill(state: DrillState, step: StepName): boolean {
  return (
    killHasStarted(state) &&
    (RECOVERY_STEPS.includes(step) || FINISHED_ONCE_STARTED.includes(step)) &&
    !state.abortRequested &&
    !state.recovery
  );
}
