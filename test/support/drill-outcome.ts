import { expect } from 'vitest';
import type { DrillStatus } from '../../src/drills/drill-state.js';
import type { EventStore } from '../../src/events/event-store.js';
import type { DrillDto } from '../../src/drills/drill.dto.js';
import { drillFinished, fetchAs } from './service.js';

/** One line per event: enough to see why a drill ended as it did. */
export function describeEvents(
  events: readonly { sequence: number; type: string; actor?: string; data: unknown; occurredAt?: string }[],
): string {
  return events.map((event) => `  #${event.sequence} ${event.occurredAt ?? ''} ${event.type} ${JSON.stringify(event.data)}`).join('\n');
}

/**
 * Fails unless the drill ended with `status`, printing every event of the drill: a drill that
 * ends unexpectedly says why in the test's output.
 */
export async function expectDrillEnded(
  store: Pick<EventStore, 'read'>,
  state: { readonly id: string; readonly status: string; readonly error?: string },
  status: DrillStatus,
): Promise<void> {
  if (state.status === status) {
    return;
  }
  const events = await store.read(state.id);
  expect.fail(`drill ${state.id} ended ${state.status}, not ${status}${state.error ? `: ${state.error}` : ''}\n${describeEvents(events)}`);
}

/** The same over the API, for drills run by a service: its events come from `GET /api/drills/{id}/events`. */
export async function expectDrillEndedOverApi(
  base: string,
  drill: { readonly id: string; readonly status: string; readonly error?: string },
  status: DrillStatus,
): Promise<void> {
  if (drill.status === status) {
    return;
  }
  const events: { sequence: number; type: string; data: unknown; occurredAt?: string }[] = [];
  for (let after = 0; ;) {
    const page = (await (await fetchAs(`${base}/drills/${drill.id}/events?after=${after}&limit=500`)).json()) as {
      items: { sequence: number; type: string; data: unknown; occurredAt?: string }[];
    };
    events.push(...page.items);
    if (page.items.length < 500) {
      break;
    }
    after = page.items.at(-1)!.sequence;
  }
  expect.fail(`drill ${drill.id} ended ${drill.status}, not ${status}${drill.error ? `: ${drill.error}` : ''}\n${describeEvents(events)}`);
}

/** Waits for a service's drill to finish and fails, printing its events, unless it ended with `status`. */
export async function drillEnded(base: string, id: string, status: DrillStatus, timeoutMs?: number): Promise<DrillDto> {
  const drill = await drillFinished(base, id, timeoutMs);
  await expectDrillEndedOverApi(base, drill, status);
  return drill;
}
