import { AppError } from '../common/app-error.js';
import type { ProbeReport } from '../probe/probe-report.js';
import type { DrillOptions, DrillTrigger, RecordedDrillEvent, RecordedNode } from './drill-events.js';
import type { ScenarioName, StepName } from './scenarios.js';
import type { GroupName } from '../targets/drill-target.js';
import { PreflightFailedError } from './preflight.js';
import type { ServerOnNodes } from './server-support.js';

export const DRILL_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'aborted'] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepState {
  readonly name: StepName;
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly error?: string;
}

export interface DrillTimings {
  /** From the kill being issued to every new master serving all slots. */
  readonly killToServingMs?: number;
  /** From the kill being issued to every new master having a synced replica. */
  readonly killToRedundantMs?: number;
  /** The failback step: from the original group's restart to the starting topology, healthy. */
  readonly failbackMs?: number;
  readonly totalMs?: number;
}

/** A drill as its events tell it: nothing here is stored, everything is folded. */
export interface DrillState {
  readonly id: string;
  readonly version: number;
  readonly scenario: ScenarioName;
  readonly target: string;
  readonly trigger: DrillTrigger;
  readonly options: DrillOptions;
  /** The schedule that started the drill, when a schedule did. */
  readonly scheduleId?: string;
  /** Who asked for the drill; the runner appends its events on their behalf. */
  readonly actor: string;
  readonly status: DrillStatus;
  readonly requestedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly error?: string;
  readonly steps: readonly StepState[];
  readonly direction?: { readonly from: GroupName; readonly to: GroupName };
  readonly topology: readonly RecordedNode[];
  readonly killStartedAt?: string;
  /** When the kill's signals went out: what kill → ok and kill → redundant are measured from. */
  readonly killSignalledAt?: string;
  readonly killed: readonly string[];
  readonly timings: DrillTimings;
  /** Set once someone asked for the drill to stop. */
  readonly abortRequested?: { readonly reason: string; readonly actor: string; readonly at: string };
  /** The steps an abort runs to bring the target back to health, once it started them. */
  readonly recovery?: readonly StepName[];
  /** How many times a worker picked the drill up again after another stopped. */
  readonly resumes: number;
  /** Fencing token of the lease the drill's current worker holds. */
  readonly fencingToken?: number;
  /** The live probe: started, then reported or lost. */
  readonly probe?:
    | { readonly state: 'running' }
    | { readonly state: 'reported'; readonly report: ProbeReport }
    | { readonly state: 'lost'; readonly reason: string };
  /** Nodes whose replica migration the drill holds off, with the setting to put back. */
  readonly migrationPaused?: Readonly<Record<string, string>>;
  /** What the target's nodes run, as `prepare` found them. */
  readonly servers?: readonly ServerOnNodes[];
  /** A repair: the drill whose half-done failback it finishes. */
  readonly finishFailbackOf?: string;
  /** Set once `prepare` began bringing a stopped standby group back, so that a resumed `prepare` finishes it. */
  readonly standbyRestore?: GroupName;
}

export class DrillHistoryError extends AppError {
  readonly code = 'DRILL_HISTORY_INVALID';

  constructor(drillId: string, problem: string) {
    super(`drill ${drillId}: ${problem}`);
  }
}

/** Folds a whole stream; undefined for a stream with no events. */
export function foldDrill(events: readonly RecordedDrillEvent[]): DrillState | undefined {
  const [first, ...rest] = events;
  if (!first) {
    return undefined;
  }
  return rest.reduce(evolve, start(first));
}

function start(event: RecordedDrillEvent): DrillState {
  if (event.type !== 'DrillRequested') {
    throw new DrillHistoryError(event.streamId, `stream starts with ${event.type}, not DrillRequested`);
  }
  return {
    id: event.streamId,
    version: event.sequence,
    scenario: event.data.scenario,
    target: event.data.target,
    trigger: event.data.trigger,
    ...(event.data.scheduleId ? { scheduleId: event.data.scheduleId } : {}),
    ...(event.data.finishFailbackOf ? { finishFailbackOf: event.data.finishFailbackOf } : {}),
    options: event.data.options ?? {},
    actor: event.actor,
    status: 'queued',
    requestedAt: event.occurredAt,
    steps: [],
    topology: [],
    killed: [],
    timings: {},
    resumes: 0,
  };
}

/** The state after one more event. Pure: same state and event, same result. */
export function evolve(state: DrillState, event: RecordedDrillEvent): DrillState {
  const next = { ...state, version: event.sequence };
  const at = event.occurredAt;
  switch (event.type) {
    case 'DrillRequested':
      throw new DrillHistoryError(state.id, `DrillRequested at sequence ${event.sequence}, after the stream began`);
    case 'DrillStarted':
      return { ...next, status: 'running', startedAt: at, steps: event.data.plan.map((name) => ({ name, status: 'pending' })) };
    case 'StepStarted':
      return {
        ...next,
        // A step run again on the recovery path after it failed starts afresh.
        steps: updateStep(state, event.data.step, () => ({
          status: 'running',
          startedAt: at,
          finishedAt: undefined,
          durationMs: undefined,
          error: undefined,
        })),
        killStartedAt: event.data.step === 'kill' ? (state.killStartedAt ?? at) : state.killStartedAt,
      };
    case 'StepSucceeded':
      return {
        ...next,
        steps: updateStep(state, event.data.step, () => ({ status: 'succeeded', finishedAt: at, durationMs: event.data.durationMs })),
      };
    case 'StepFailed':
      return {
        ...next,
        steps: updateStep(state, event.data.step, () => ({
          status: 'failed',
          finishedAt: at,
          durationMs: event.data.durationMs,
          error: event.data.error,
        })),
      };
    case 'TopologyRecorded':
      return { ...next, topology: event.data.nodes, direction: { from: event.data.from, to: event.data.to } };
    case 'NodeKilled':
      return {
        ...next,
        killed: [...state.killed, event.data.node],
        killSignalledAt: state.killSignalledAt ?? (event.data.alreadyStopped ? undefined : event.data.signalledAt),
      };
    case 'ClusterServing':
      return { ...next, timings: { ...state.timings, killToServingMs: event.data.killToServingMs } };
    case 'ClusterRedundant':
      return { ...next, timings: { ...state.timings, killToRedundantMs: event.data.killToRedundantMs } };
    case 'DrillSucceeded':
      return { ...next, status: 'succeeded', finishedAt: at, timings: { ...state.timings, totalMs: event.data.durationMs } };
    case 'AbortRequested':
      return { ...next, abortRequested: state.abortRequested ?? { reason: event.data.reason, actor: event.actor, at } };
    case 'RecoveryStarted':
      return {
        ...next,
        recovery: event.data.steps,
        steps: state.steps.map((step) =>
          (step.status === 'pending' || step.status === 'failed') && !event.data.steps.includes(step.name)
            ? { ...step, status: 'skipped' }
            : step,
        ),
      };
    case 'DrillAborted':
      return {
        ...next,
        status: 'aborted',
        finishedAt: at,
        error: `aborted: ${event.data.reason}`,
        steps: state.steps.map((step) => (step.status === 'pending' ? { ...step, status: 'skipped' } : step)),
        timings: { ...state.timings, totalMs: state.startedAt ? Date.parse(at) - Date.parse(state.startedAt) : undefined },
      };
    case 'ProbeStarted':
      return { ...next, probe: { state: 'running' } };
    case 'ProbeReported':
      return { ...next, probe: { state: 'reported', report: event.data } };
    case 'ProbeLost':
      return { ...next, probe: { state: 'lost', reason: event.data.reason } };
    case 'ReplicaMigrationPaused':
      return { ...next, migrationPaused: { ...event.data.previous, ...state.migrationPaused } };
    case 'ReplicaMigrationRestored': {
      const remaining = Object.entries(state.migrationPaused ?? {}).filter(([node]) => !event.data.nodes.includes(node));
      return { ...next, migrationPaused: remaining.length > 0 ? Object.fromEntries(remaining) : undefined };
    }
    case 'StandbyRestoreStarted':
      return { ...next, standbyRestore: event.data.group };
    case 'StartingTopologyRestored':
      return { ...next, timings: { ...state.timings, failbackMs: event.data.failbackMs } };
    case 'DrillResumed':
      return { ...next, resumes: state.resumes + 1 };
    case 'LeaseAcquired':
      return { ...next, fencingToken: event.data.fencingToken };
    case 'StepResumed':
      return { ...next, steps: updateStep(state, event.data.step, () => ({ status: 'running' })) };
    case 'DrillRefused':
      return {
        ...next,
        // A refused drill has failed before touching anything; `DrillRefused` and the error say which check.
        status: 'failed',
        finishedAt: at,
        error: `refused: ${new PreflightFailedError(event.data.failedChecks).message}`,
        steps: state.steps.map((step) => (step.status === 'pending' ? { ...step, status: 'skipped' } : step)),
        timings: { ...state.timings, totalMs: state.startedAt ? Date.parse(at) - Date.parse(state.startedAt) : undefined },
      };
    case 'DrillFailed':
      return {
        ...next,
        status: 'failed',
        finishedAt: at,
        error: event.data.reason,
        timings: { ...state.timings, totalMs: state.startedAt ? Date.parse(at) - Date.parse(state.startedAt) : undefined },
      };
    case 'ServersIdentified':
      return { ...next, servers: event.data.servers };
    case 'WritesPaused':
    case 'StepRetried':
    case 'StopConditionMet':
    case 'PreflightPassed':
    case 'StandbyGroupRestored':
    case 'StandbyClusterFormed':
    case 'DataCopied':
    case 'GroupRejoined':
    case 'ShardHandedBack':
    case 'NodeReset':
    case 'KilledContainersStopped':
    case 'CanariesWritten':
    case 'StandbysInSync':
    case 'ReplicaPromoted':
    case 'SlotsLost':
    case 'StaleClaimCorrected':
    case 'NodeForgotten':
    case 'NodeMet':
    case 'ReplicaAttached':
    case 'CanariesVerified':
    case 'HealthGatePassed':
    case 'RepairPlanned':
    case 'RepairActionTaken':
    case 'TargetRepaired':
      return next;
    default:
      return passOver(event, next);
  }
}

function updateStep(state: DrillState, name: StepName, change: () => Partial<StepState>): StepState[] {
  if (!state.steps.some((step) => step.name === name)) {
    throw new DrillHistoryError(state.id, `event for step ${name}, which is not in the drill's plan`);
  }
  return state.steps.map((step) => (step.name === name ? { ...step, ...change() } : step));
}

/**
 * An event another domain keeps in the drill's stream, such as a webhook delivery: it says nothing
 * about the drill. Typed `never` so that the switch above stays exhaustive over the drill's own events.
 */
function passOver(_event: never, next: DrillState): DrillState {
  return next;
}

/** True once the serving group may have been touched: the kill step has started. */
export const killHasStarted = (state: DrillState): boolean => state.killStartedAt !== undefined;

/**
 * Milliseconds from the kill to `at` (epoch ms), to a hundredth: from the moment the signals went
 * out, so that the last look and a planned drill's held writes before them are not counted; from
 * the kill step's start for a drill whose kill was recorded without that moment. -1 before a kill.
 */
export function msSinceKill(state: DrillState, at: number): number {
  const from = state.killSignalledAt ?? state.killStartedAt;
  return from ? Math.round((at - Date.parse(from)) * 100) / 100 : -1;
}

export const isFinished = (state: DrillState): boolean =>
  state.status === 'succeeded' || state.status === 'failed' || state.status === 'aborted';

/** The step to run now: the first that has not succeeded, or none when the plan is done. */
export function nextStep(state: DrillState): StepName | undefined {
  if (isFinished(state)) {
    return undefined;
  }
  return state.steps.find((step) => step.status !== 'succeeded' && step.status !== 'skipped')?.name;
}
