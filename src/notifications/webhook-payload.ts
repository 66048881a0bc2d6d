import { createHmac } from 'node:crypto';
import type { DrillState } from '../drills/drill-state.js';

export const SIGNATURE_HEADER = 'x-redis-drill-signature';
export const DELIVERY_HEADER = 'x-redis-drill-delivery';

/** The JSON a webhook receives when a drill has finished. */
export function finishedPayload(state: DrillState): string {
  const report = state.probe?.state === 'reported' ? state.probe.report : undefined;
  return JSON.stringify({
    event: `drill.${state.status}`,
    drill: {
      id: state.id,
      target: state.target,
      scenario: state.scenario,
      trigger: state.trigger,
      status: state.status,
      ...(state.error ? { error: state.error } : {}),
      requestedAt: state.requestedAt,
      startedAt: state.startedAt,
      finishedAt: state.finishedAt,
      timings: state.timings,
      ...(report ? { probe: { clientRtoMs: report.clientRtoMs, lostAckedWrites: report.lostAckedWrites } } : {}),
    },
  });
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`: a receiver recomputes it with the shared secret to trust the body. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
