import { expect } from 'vitest';
import type { DrillStatus } from '../../src/drills/drill-state.js';
import type { EventStore } from '../../src/events/event-store.js';
import type { DrillDto } from '../../src/drills/drill.dto.js';
import { describeEvents } from './describe-events.js';
import { drillEventsOverApi, drillFinished } from './service.js';

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
  const events = await drillEventsOverApi(base, drill.id);
  expect.fail(`drill ${drill.id} ended ${drill.status}, not ${status}${drill.error ? `: ${drill.error}` : ''}\n${describeEvents(events)}`);
}

/** Waits for a service's drill to finish and fails, printing its events, unless it ended with `status`. */
export async function drillEnded(base: string, id: string, status: DrillStatus, timeoutMs?: number): Promise<DrillDto> {
  const drill = await drillFinished(base, id, timeoutMs);
  await expectDrillEndedOverApi(base, drill, status);
  return drill;
}
