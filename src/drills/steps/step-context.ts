import type { ClusterAdmin } from '../../cluster/cluster-admin.js';
import type { ClusterKeyspace } from '../../cluster/cluster-keyspace.js';
import type { Clock } from '../../common/clock.js';
import type { NodeControl } from '../../nodes/node-control.js';
import type { DrillTarget, FailoverLayout, TargetNode } from '../../targets/drill-target.js';
import type { DrillEvent } from '../drill-events.js';
import type { StepName } from '../scenarios.js';
import type { DrillState } from '../drill-state.js';
import type { StandbyLookAhead } from './standby-look.js';

export interface DrillSettings {
  /** Canary keys written before the kill, one per slot at most. */
  readonly canaryKeys: number;
  /** Replication bytes a replica may trail by and still count as synced in the health gate. */
  readonly maxReplicaLagBytes: number;
  /** How long `prepare` lets a settling target become ready before the drill fails. */
  readonly readinessTimeoutMs: number;
  /** The watchdog: a step still running after this long fails. */
  readonly stepTimeoutMs: number;
  /** How often a step that failed with a transient error is tried again, with doubling pauses from `retryBaseMs`. */
  readonly stepRetries: number;
  readonly retryBaseMs: number;
}

/** What a step may use: the drill so far, the target, and the one class per outside system. */
export interface StepContext {
  readonly drillId: string;
  /** The drill as its events stood when the step began. */
  readonly state: DrillState;
  readonly target: DrillTarget;
  readonly layout: FailoverLayout;
  readonly admin: ClusterAdmin;
  readonly keyspace: ClusterKeyspace;
  readonly nodes: NodeControl;
  readonly clock: Clock;
  readonly settings: DrillSettings;
  /**
   * Appends domain events now, for what must be on record before the step goes on. Events a step
   * returns are appended with its success instead, in one durable write.
   */
  record(...events: DrillEvent[]): Promise<void>;
  /**
   * A safe point inside a step, named `<step>:<point>`: checks that this worker still holds the
   * target's lease (the fencing check before anything that acts) and is where crash tests strike.
   */
  checkpoint(point: string): Promise<void>;
  /** Another drill as its events leave it: for a repair that finishes what that drill left half done. */
  drillState(drillId: string): Promise<DrillState>;
  /** The takeover's look, started by the kill (see `StandbyLookAhead`); this run's only. */
  readonly lookAhead: StandbyLookAhead;
}

/** Runs one step; resolves to the domain events to record with its success. */
export type DrillStep = (context: StepContext) => Promise<readonly DrillEvent[]>;
export type StepRegistry = Readonly<Record<StepName, DrillStep>>;

/** The id `prepare` recorded for a node; later steps act on exactly these ids. */
export function recordedId(context: StepContext, node: TargetNode): string {
  const recorded = context.state.topology.find((entry) => entry.name === node.name);
  if (!recorded) {
    throw new Error(`no node id was recorded for ${node.name} in prepare`);
  }
  return recorded.nodeId;
}

/**
 * The serving master `prepare` recorded this node replicating. Steps pair nodes by this record,
 * not by their place in the target's list: a cluster built by other tools need not follow it.
 */
export function recordedMaster(context: StepContext, node: TargetNode): TargetNode {
  const name = context.state.topology.find((entry) => entry.name === node.name)?.replicates;
  const master = context.layout.servingMasters.find((candidate) => candidate.name === name);
  if (!master) {
    throw new Error(`no serving master was recorded for ${node.name} in prepare`);
  }
  return master;
}

/** Milliseconds on the clock since `start`, to a hundredth. */
export const elapsedSince = (clock: Clock, start: number): number => Math.round((clock.now() - start) * 100) / 100;
