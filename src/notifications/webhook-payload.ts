import type { DrillState } from '../drills/drill-state.js';

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
