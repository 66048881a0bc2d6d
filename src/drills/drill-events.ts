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
  | { type: 'DrillFailed'; data: { step: StepName | null; reason: string } };

export type DrillEventType = DrillEvent['type'];
export type RecordedDrillEvent = RecordedEvent<DrillEvent>;
