import type { RecordedEvent } from '../events/event-store.js';
import type { GroupName } from '../targets/drill-target.js';

export const SCENARIOS = ['group-failover'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const STEP_NAMES = ['prepare', 'kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type DrillTrigger = 'manual' | 'schedule';

/** A node as the drill found it in `prepare`: the ids it must kill, promote and forget. */
export interface RecordedNode {
  readonly name: string;
  readonly group: GroupName;
  readonly nodeId: string;
  readonly role: 'master' | 'replica' | 'unknown';
  /** The node it replicates, by name, when it is a replica of a target node. */
  readonly replicates?: string;
}

/**
 * What an abort after the kill still runs: the rest of the failover, and the checks that the
 * target ended healthy. Once the serving group is dead, the only healthy state is the new one.
 */
export const RECOVERY_STEPS: readonly StepName[] = ['takeover', 'forget', 'meet', 'replicate', 'verify'];

/** Every event a drill's stream can hold. Payloads are versioned by adding new types, never by editing these. */
export type DrillEvent =
  | { type: 'DrillRequested'; data: { scenario: ScenarioName; target: string; trigger: DrillTrigger; scheduleId?: string } }
  | { type: 'DrillStarted'; data: { plan: StepName[] } }
  | { type: 'StepStarted'; data: { step: StepName } }
  | { type: 'StepSucceeded'; data: { step: StepName; durationMs: number } }
  | { type: 'StepFailed'; data: { step: StepName; durationMs: number; error: string } }
  | { type: 'TopologyRecorded'; data: { from: GroupName; to: GroupName; nodes: RecordedNode[] } }
  | { type: 'CanariesWritten'; data: { keys: number; tookMs: number } }
  | { type: 'StandbysInSync'; data: { standbys: string[]; tookMs: number } }
  | {
      type: 'NodeKilled';
      data: { node: string; container: string; nodeId: string; alreadyStopped: boolean; method: 'signal' | 'engine' | 'none' };
    }
  | { type: 'KilledContainersStopped'; data: { containers: string[] } }
  | { type: 'ReplicaPromoted'; data: { node: string; nodeId: string; attempts: number; tookMs: number } }
  | { type: 'ClusterServing'; data: { masters: string[]; killToServingMs: number } }
  | { type: 'NodeForgotten'; data: { node: string; nodeId: string; forgottenOn: string[] } }
  | { type: 'NodeMet'; data: { node: string; nodeId: string; met: string[] } }
  | { type: 'ReplicaAttached'; data: { node: string; nodeId: string; master: string } }
  | { type: 'ClusterRedundant'; data: { killToRedundantMs: number } }
  | { type: 'CanariesVerified'; data: { keys: number; missing: number } }
  | { type: 'HealthGatePassed'; data: { nodes: string[] } }
  | { type: 'DrillSucceeded'; data: { durationMs: number } }
  | { type: 'DrillFailed'; data: { step: StepName | null; reason: string } }
  /** A worker took the target's lease; every later action of this worker is fenced by the token. */
  | { type: 'LeaseAcquired'; data: { target: string; fencingToken: number; worker: string } }
  /** A worker picked up a drill another worker had started, after that one stopped or crashed. */
  | { type: 'DrillResumed'; data: { worker: string } }
  /** The step had started before the worker stopped; it runs again from the live state. */
  | { type: 'StepResumed'; data: { step: StepName } }
  | { type: 'StepRetried'; data: { step: StepName; attempt: number; error: string; delayMs: number } }
  | { type: 'AbortRequested'; data: { reason: string } }
  /** The abort found the serving group already killed: these steps run to bring the target back to health. */
  | { type: 'RecoveryStarted'; data: { steps: StepName[]; reason: string } }
  | { type: 'DrillAborted'; data: { reason: string; recovered: StepName[] } };

export type DrillEventType = DrillEvent['type'];
export type RecordedDrillEvent = RecordedEvent<DrillEvent>;
