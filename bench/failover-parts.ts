import type { RecordedDrillEvent } from '../src/drills/drill-events.js';
import type { DrillState } from '../src/drills/drill-state.js';

/** Where one failover's kill → `cluster_state:ok` went, in ms, from the drill's own record. */
export interface FailoverParts {
  /** From the signals until the kill's events go to the log: the engine has answered every kill. */
  readonly killsAnswered: number;
  /** From there until the takeover step starts: the durable write of those events. */
  readonly recorded: number;
  /** The slowest `TAKEOVER` with its `ROLE` confirmation. */
  readonly commands: number;
  /** The rest of the takeover step: its look (when the kill's had not finished), the epoch check and the wait until every standby serves. */
  readonly restOfTakeover: number;
}

/** The parts of a succeeded failover; undefined for a drill resumed past its kill, whose record mixes two runs. */
export function failoverParts(events: readonly RecordedDrillEvent[], state: DrillState): FailoverParts | undefined {
  const killed = events.find((event) => event.type === 'NodeKilled');
  const takeover = state.steps.find((step) => step.name === 'takeover')?.durationMs;
  const killToOk = state.timings.killToServingMs;
  if (killed?.type !== 'NodeKilled' || !killed.data.signalledAt || takeover === undefined || killToOk === undefined) {
    return undefined;
  }
  const killsAnswered = Date.parse(killed.occurredAt) - Date.parse(killed.data.signalledAt);
  const commands = Math.max(0, ...events.flatMap((event) => (event.type === 'ReplicaPromoted' ? [event.data.tookMs] : [])));
  return { killsAnswered, recorded: killToOk - takeover - killsAnswered, commands, restOfTakeover: takeover - commands };
}
