import type { RecordedEvent } from '../events/recorded-event.js';
import type { ProbeReport } from '../probe/probe-report.js';
import type { GroupName } from '../targets/drill-target.js';
import type { FailedCheck, PreflightCheck } from './preflight.js';
import type { ServerOnNodes } from './server-support.js';
import type { RepairActionKind } from './repair-actions.js';
import type { ScenarioName, StepName } from './scenarios.js';

/** The kind of a drill's stream in the audit log. */
export const DRILL_STREAM_KIND = 'drill';

export type DrillTrigger = 'manual' | 'schedule';

/** How a drill runs, as its request asked. */
export interface DrillOptions {
  /** Run the live client probe (default true). */
  readonly probe?: boolean;
  /** Probe writes per second across all shards (default 150). */
  readonly probeWritesPerSecond?: number;
  /**
   * A planned failover: writes are paused on the serving masters and the standbys caught up
   * before the kill, so that no acknowledged write can be lost (default false).
   */
  readonly planned?: boolean;
  /**
   * A stop condition: the longest stretch the probe's clients may go without a successful write.
   * Past it, at the next step boundary, the drill stops as if aborted: untouched before the kill,
   * the failover finished (and no failback) after it.
   */
  readonly maxClientOutageMs?: number;
  /**
   * A stop condition: the error budget, in probe writes that failed or got no answer. Past it,
   * at the next step boundary, the drill stops as `maxClientOutageMs` stops it.
   */
  readonly maxFailedWrites?: number;
}

/** A node as the drill found it in `prepare`: the ids it must kill, promote and forget. */
export interface RecordedNode {
  readonly name: string;
  readonly group: GroupName;
  readonly nodeId: string;
  readonly role: 'master' | 'replica' | 'unknown';
  /** The node it replicates, by name, when it is a replica of a target node. */
  readonly replicates?: string;
  /** The slots it serves, as `start-end` ranges joined by spaces; absent when none. */
  readonly slots?: string;
}

/**
 * Every event of a drill's own. Payloads are versioned by adding new types, never by editing these.
 * Other domains may add theirs to the drill's stream (notifications do); the drill's fold passes over them.
 */
export type DrillEvent =
  | {
      type: 'DrillRequested';
      data: {
        scenario: ScenarioName;
        target: string;
        trigger: DrillTrigger;
        scheduleId?: string;
        options?: DrillOptions;
        /** A repair: the drill whose half-done failback it finishes, as the log showed it when the repair was asked for. */
        finishFailbackOf?: string;
      };
    }
  /** `plan` holds the scenario's steps, in order; the field keeps the name it was recorded under. */
  | { type: 'DrillStarted'; data: { plan: StepName[] } }
  | { type: 'StepStarted'; data: { step: StepName } }
  | { type: 'StepSucceeded'; data: { step: StepName; durationMs: number } }
  | { type: 'StepFailed'; data: { step: StepName; durationMs: number; error: string } }
  | { type: 'TopologyRecorded'; data: { from: GroupName; to: GroupName; nodes: RecordedNode[] } }
  | { type: 'CanariesWritten'; data: { keys: number; tookMs: number } }
  /** The standby group was found stopped (killed by an earlier drill): it is brought back before the drill goes on. */
  | { type: 'StandbyRestoreStarted'; data: { group: GroupName; nodes: string[] } }
  | { type: 'StandbyGroupRestored'; data: { group: GroupName; nodes: string[]; tookMs: number } }
  /** Backup-restore: the standby group formed into a cluster of its own. */
  | { type: 'StandbyClusterFormed'; data: { group: GroupName; nodes: string[]; tookMs: number } }
  /** Backup-restore: every key of the serving cluster copied into the standby cluster (DUMP and RESTORE). */
  | { type: 'DataCopied'; data: { keys: number; bytes: number; tookMs: number; keysPerSecond: number; bytesPerSecond: number } }
  /** Failback: the original group back as replicas, then one coordinated failover per shard. */
  | { type: 'GroupRejoined'; data: { group: GroupName; nodes: string[] } }
  | { type: 'ShardHandedBack'; data: { node: string; from: string; method: 'coordinated' | 'paused-takeover'; tookMs: number } }
  | { type: 'NodeReset'; data: { node: string; nodeId: string } }
  | { type: 'StartingTopologyRestored'; data: { serving: GroupName; failbackMs: number } }
  | { type: 'StandbysInSync'; data: { standbys: string[]; tookMs: number } }
  | {
      type: 'NodeKilled';
      data: {
        node: string;
        container: string;
        nodeId: string;
        alreadyStopped: boolean;
        method: 'signal' | 'engine' | 'none';
        /** When the signals went out (ISO-8601); kill → ok and kill → redundant count from here. */
        signalledAt?: string;
      };
    }
  | { type: 'KilledContainersStopped'; data: { containers: string[] } }
  | { type: 'ReplicaPromoted'; data: { node: string; nodeId: string; attempts: number; tookMs: number } }
  /** A standby died after the kill: the slots of the master it was to replace have no node left to serve them. */
  | { type: 'SlotsLost'; data: { node: string; slots: string } }
  /**
   * A node still gave a replaced master's slots to it after a takeover; its taker's epoch was
   * raised and the node told the slots' new owner (see `ClusterAdmin.waitTakeoversHeard`).
   */
  | {
      type: 'StaleClaimCorrected';
      data: {
        node: string;
        taker: string;
        staleOwnerId: string;
        staleOwnerEpoch: number;
        /** The taker's epoch in that node's view; null when the node did not list it as a master. */
        takerEpoch: number | null;
        slots: string;
        bumped: string;
        corrected: boolean;
        error?: string;
      };
    }
  | { type: 'ClusterServing'; data: { masters: string[]; killToServingMs: number } }
  | { type: 'NodeForgotten'; data: { node: string; nodeId: string; forgottenOn: string[] } }
  | { type: 'NodeMet'; data: { node: string; nodeId: string; met: string[] } }
  | { type: 'ReplicaAttached'; data: { node: string; nodeId: string; master: string } }
  | { type: 'ClusterRedundant'; data: { killToRedundantMs: number } }
  | { type: 'CanariesVerified'; data: { keys: number; missing: number } }
  | { type: 'HealthGatePassed'; data: { nodes: string[] } }
  | { type: 'DrillSucceeded'; data: { durationMs: number } }
  | { type: 'DrillFailed'; data: { step: StepName | null; reason: string } }
  /** The server and version each node of the target runs, as the nodes that answered said; recorded before any other check. */
  | { type: 'ServersIdentified'; data: { servers: ServerOnNodes[] } }
  /** Every preflight check held, before anything was killed. */
  | { type: 'PreflightPassed'; data: { checks: PreflightCheck[] } }
  /** A preflight check failed: the drill ends here, before any kill. */
  | { type: 'DrillRefused'; data: { failedChecks: FailedCheck[] } }
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
  | { type: 'DrillAborted'; data: { reason: string; recovered: StepName[] } }
  /**
   * Replica migration held off on these nodes (their previous setting kept): a standby that
   * migrated to a master promoted a moment earlier would take the wrong shard's slots.
   */
  | { type: 'ReplicaMigrationPaused'; data: { previous: Record<string, string> } }
  | { type: 'ReplicaMigrationRestored'; data: { nodes: string[]; failed?: { node: string; error: string }[] } }
  | {
      type: 'ProbeStarted';
      data: {
        writesPerSecond: number;
        slots: number[];
        /** Slots whose shard had no write acknowledged when the drill went on without waiting longer: the figures count from then regardless. */
        unwrittenSlots?: number[];
      };
    }
  | { type: 'ProbeReported'; data: ProbeReport }
  /** The probe ran in a worker that stopped; its figures are gone with it. */
  | { type: 'ProbeLost'; data: { reason: string } }
  /** Planned drill: writes stopped on the serving masters and the standbys caught up before the kill. */
  | { type: 'WritesPaused'; data: { masters: string[]; tookMs: number } }
  /** A stop condition fired; the `AbortRequested` that follows carries it as its reason. */
  | { type: 'StopConditionMet'; data: { condition: StopCondition; step: StepName | null; detail: string } }
  /** A repair looked at the target: what is wrong, in the readiness check's words, and what it will do about it. */
  | {
      type: 'RepairPlanned';
      data: {
        ready: boolean;
        findings: string[];
        actions: { kind: RepairActionKind; description: string; nodes: string[] }[];
        blocked?: string;
      };
    }
  /** One action of a repair, done. */
  | { type: 'RepairActionTaken'; data: { kind: RepairActionKind; description: string; nodes: string[]; tookMs: number } }
  /** The repair is done: the target passes the readiness check. */
  | { type: 'TargetRepaired'; data: { actions: number; tookMs: number } };

/** What stops a drill on its own: a failover step past its watchdog, or clients down longer than the budget. */
export type StopCondition = 'step-timeout' | 'client-outage' | 'client-errors';

export type RecordedDrillEvent = RecordedEvent<DrillEvent>;
