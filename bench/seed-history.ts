import { randomUUID } from 'node:crypto';
import { DRILL_STREAM_KIND, type DrillEvent } from '../src/drills/drill-events.js';
import { GROUP_FAILOVER_STEPS } from '../src/drills/scenarios.js';
import type { SqliteEventStore } from '../src/events/sqlite-event-store.js';

/**
 * One plausible drill stream of `eventsPerDrill` events: the lifecycle and domain events of a
 * real group-failover drill (about 40), padded with canary-batch events in `prepare`. One drill
 * in twenty fails at `takeover`; shorter than that, the stream is cut short.
 */
export function syntheticDrill(index: number, eventsPerDrill: number): DrillEvent[] {
  const failed = index % 20 === 7;
  const jitter = (base: number) => Math.round(base * (0.7 + ((index * 7919) % 600) / 1000) * 100) / 100;
  const events: DrillEvent[] = [
    {
      type: 'DrillRequested',
      data: { scenario: 'group-failover', target: index % 3 === 0 ? 'staging' : 'lab', trigger: index % 4 === 0 ? 'schedule' : 'manual' },
    },
    { type: 'DrillStarted', data: { plan: [...GROUP_FAILOVER_STEPS] } },
  ];
  const domain: Record<string, DrillEvent[]> = {
    kill: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((node) => ({
      type: 'NodeKilled',
      data: { node, container: `lab-${node}`, nodeId: node.padEnd(40, '0'), alreadyStopped: false, method: 'signal' },
    })),
    takeover: [
      ...['b1', 'b2', 'b3'].map((node): DrillEvent => ({
        type: 'ReplicaPromoted',
        data: { node, nodeId: node.padEnd(40, '0'), attempts: 1, tookMs: jitter(12) },
      })),
      { type: 'ClusterServing', data: { masters: ['b1', 'b2', 'b3'], killToServingMs: jitter(80) } },
    ],
    forget: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((node) => ({
      type: 'NodeForgotten',
      data: { node, nodeId: node.padEnd(40, '0'), forgottenOn: ['b1', 'b2', 'b3'] },
    })),
    meet: ['b4', 'b5', 'b6'].map((node) => ({ type: 'NodeMet', data: { node, nodeId: node.padEnd(40, '0'), met: ['b1', 'b2', 'b3'] } })),
    replicate: [
      ...['b4', 'b5', 'b6'].map((node, at): DrillEvent => ({
        type: 'ReplicaAttached',
        data: { node, nodeId: node.padEnd(40, '0'), master: `b${at + 1}` },
      })),
      { type: 'ClusterRedundant', data: { killToRedundantMs: jitter(620) } },
    ],
  };
  const durations: Record<string, number> = { prepare: 450, kill: 20, takeover: 60, forget: 25, meet: 290, replicate: 310, verify: 240 };
  for (const step of GROUP_FAILOVER_STEPS) {
    events.push({ type: 'StepStarted', data: { step } });
    if (failed && step === 'takeover') {
      events.push({
        type: 'StepFailed',
        data: { step, durationMs: 1000, error: 'b2 did not become master after 3 CLUSTER FAILOVER TAKEOVER attempts' },
      });
      events.push({ type: 'DrillFailed', data: { step, reason: 'takeover failed: b2 did not become master' } });
      return padded(events, eventsPerDrill);
    }
    events.push(...(domain[step] ?? []));
    events.push({ type: 'StepSucceeded', data: { step, durationMs: jitter(durations[step]!) } });
  }
  events.push({ type: 'DrillSucceeded', data: { durationMs: jitter(1400) } });
  return padded(events, eventsPerDrill);
}

/** Fills the stream up to `length` events with canary-batch events in `prepare`. */
function padded(events: DrillEvent[], length: number): DrillEvent[] {
  const filler: DrillEvent[] = Array.from({ length: Math.max(0, length - events.length) }, () => ({
    type: 'CanariesWritten',
    data: { keys: 256, tookMs: 0.8 },
  }));
  // After DrillRequested, DrillStarted and prepare's StepStarted.
  return [...events.slice(0, 3), ...filler, ...events.slice(3)];
}

/** Appends `drills` synthetic drills, one append each, requested over the 30 days before `end`. */
export function seedHistory(
  store: SqliteEventStore,
  drills: number,
  eventsPerDrill: number,
  end = Date.now(),
): { ids: string[]; events: number } {
  const ids: string[] = [];
  let events = 0;
  const span = 30 * 24 * 3600 * 1000;
  for (let index = 0; index < drills; index++) {
    const id = randomUUID();
    const stream = syntheticDrill(index, eventsPerDrill);
    store.appendNow(id, 0, stream, {
      occurredAt: new Date(end - span + Math.floor((index * span) / drills)),
      actor: 'bench',
      streamKind: DRILL_STREAM_KIND,
    });
    ids.push(id);
    events += stream.length;
  }
  return { ids, events };
}
