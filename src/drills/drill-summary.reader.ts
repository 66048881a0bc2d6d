import type { UnfinishedDrill } from './unfinished-drills.js';
import type { DrillRow, DrillStepRow } from './drill-summary.entity.js';

/** Drills requested in `[from, to]`, on one target or all. */
export interface RequestWindow {
  readonly from: string;
  readonly to: string;
  readonly target: string | null;
}

/** Which drills a page of the history holds. */
export interface DrillFilter {
  readonly status?: string;
  readonly scenario?: string;
  readonly target?: string;
  readonly from?: string;
  readonly to?: string;
  /** Only drills that come after this one, newest first. */
  readonly before?: { readonly requestedAt: string; readonly id: string };
  readonly limit: number;
}

/** Finished runs of one step (or of whole drills when `name` is empty), and the range of the successful ones' durations. */
export interface OutcomeCounts {
  name: string;
  finished: number;
  succeeded: number;
  min: number | null;
  max: number | null;
}

/** Finished runs of one step with one status, and the range of their durations. */
export interface StepCounts {
  name: string;
  status: string;
  runs: number;
  min: number | null;
  max: number | null;
}

/** The figures of a target's latest finished drill. */
export type LastDrill = Pick<
  DrillRow,
  'target' | 'status' | 'killToServingMs' | 'killToRedundantMs' | 'clientRtoMs' | 'lostAckedWrites'
> & { readonly finishedAt: string };

export interface OutcomeCount {
  target: string;
  scenario: string;
  trigger: string;
  status: string;
  n: number;
}

export interface StepHistogram {
  step: string;
  target: string;
  buckets: number[];
  count: number;
  sumSeconds: number;
}

/**
 * What history, statistics, metrics and the kill switch read from the drill summary projection
 * (`drills`, `drill_steps`), whichever database holds it. Services inject this class.
 */
export abstract class DrillSummaryReader {
  abstract drill(id: string): Promise<DrillRow | undefined>;

  /** A drill's steps in plan order. */
  abstract steps(drillId: string): Promise<DrillStepRow[]>;

  /** Drills newest first (by request time, then id), filtered. */
  abstract page(filter: DrillFilter): Promise<DrillRow[]>;

  /** The drills the log says are not finished (queued or running), of one target or all, earliest requested first. */
  abstract unfinished(target?: string): Promise<UnfinishedDrill[]>;

  /** Finished runs of each step in the window, per step and status. */
  abstract stepCounts(window: RequestWindow): Promise<StepCounts[]>;

  /** The successful duration of a step `offset` places from the shortest (ASC) or the longest (DESC). */
  abstract stepDurationAt(window: RequestWindow, name: string, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined>;

  /** Finished drills in the window, and the range of the successful ones' total times. */
  abstract drillCounts(window: RequestWindow): Promise<OutcomeCounts>;

  /** The successful total time of a drill `offset` places from the shortest (ASC) or the longest (DESC). */
  abstract drillDurationAt(window: RequestWindow, offset: number, order: 'ASC' | 'DESC'): Promise<number | undefined>;

  /** How many drills there are per target, scenario, trigger and status. */
  abstract countsByOutcome(): Promise<OutcomeCount[]>;

  /**
   * Per step and target, over the successful runs: how many took at most each of `bucketsSeconds`
   * (cumulative, in that order), the count and the total in seconds.
   */
  abstract stepHistograms(bucketsSeconds: readonly number[]): Promise<StepHistogram[]>;

  /** Each target's latest finished drill. */
  abstract lastFinishedPerTarget(): Promise<LastDrill[]>;
}
