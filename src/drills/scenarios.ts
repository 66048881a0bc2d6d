import type { StandbyLayout } from '../cluster/standby-group.js';

/** The drills one can request or schedule. */
export const SCENARIOS = ['group-failover', 'failover-and-failback', 'prewired-standby', 'backup-restore'] as const;
/**
 * A repair is recorded and run as a drill of its own kind, so that it holds its target and shows
 * in the history like any drill; it is requested only through `POST /api/targets/{name}/repair`.
 */
export const REPAIR_SCENARIO = 'repair';
/** Every kind of drill the log holds. */
export const DRILL_KINDS = [...SCENARIOS, REPAIR_SCENARIO] as const;
export type ScenarioName = (typeof DRILL_KINDS)[number];

/** Every step any scenario can have. */
export const STEP_NAMES = ['prepare', 'copy', 'kill', 'takeover', 'forget', 'meet', 'replicate', 'verify', 'failback', 'repair'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** The seed's procedure: the serving group dies, the standby group takes over and becomes a full cluster. */
export const GROUP_FAILOVER_STEPS: readonly StepName[] = ['prepare', 'kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'];

/** Each scenario's steps, in order. */
export const SCENARIO_STEPS: Readonly<Record<ScenarioName, readonly StepName[]>> = {
  'group-failover': GROUP_FAILOVER_STEPS,
  // ... and back to the starting topology, so that the next drill can run.
  'failover-and-failback': [...GROUP_FAILOVER_STEPS, 'failback'],
  // The spares already replicate the standbys: the takeover alone leaves a full cluster, nothing to meet.
  'prewired-standby': ['prepare', 'kill', 'takeover', 'forget', 'replicate', 'verify'],
  // Two clusters: the data is copied across, then the serving one dies and the other takes the clients.
  'backup-restore': ['prepare', 'copy', 'kill', 'verify'],
  // Reads the target, plans from what it finds, and carries the plan out: one re-entrant step.
  repair: ['repair'],
};

/** How the standby group stands before the kill, by scenario (see `readinessProblems`). */
export const SCENARIO_STANDBY: Readonly<Record<ScenarioName, StandbyLayout>> = {
  'group-failover': 'attached',
  'failover-and-failback': 'attached',
  'prewired-standby': 'prewired',
  'backup-restore': 'separate',
  // What a repair restores: the layout the plain failover starts from.
  repair: 'attached',
};

/**
 * What an abort after the kill still runs: the rest of the failover, and the checks that the
 * target ended healthy. Once the serving group is being killed, the only healthy state is the new
 * one: a kill cut short is run again (it signals only what still runs), then the rest.
 */
export const RECOVERY_STEPS: readonly StepName[] = ['kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'];

/**
 * Steps that, once started, are finished on the recovery path rather than left half done: a
 * failback cut short leaves some shards handed back and others not, so it is run again to its end.
 */
export const FINISHED_ONCE_STARTED: readonly StepName[] = ['failback'];
