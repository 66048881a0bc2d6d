import { expect } from 'vitest';
import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import type { StepName } from '../../src/drills/scenarios.js';
import { streamEvents } from './after-failover.js';
import { drillEnded } from './drill-outcome.js';
import { post, startService, type RunningService } from './service.js';

/** The service a test starts: its configuration, with the SQLite log the drill's events are read from. */
type DoomedEnv = Record<string, string> & { DATABASE_PATH: string };

/**
 * Starts a service that SIGKILLs itself at `point` (`DRILL_CRASH_AT`), requests a group-failover
 * drill on it and waits for the death; answers the drill's id. A service that does not die is
 * killed, and the error says why: the drill's events (from the SQLite log at `env.DATABASE_PATH`)
 * and what the service printed.
 */
export async function drillKilledAt(env: DoomedEnv, point: string): Promise<string> {
  const doomed = await startService({ ...env, DRILL_CRASH_AT: point });
  try {
    const answer = await post(doomed.base, '/drills', { scenario: 'group-failover' });
    const body = (await answer.json()) as { id: string };
    if (answer.status !== 202) {
      throw new Error(`POST /drills answered ${answer.status}: ${JSON.stringify(body)}`);
    }
    await waitFor(
      async () =>
        doomed.process.signalCode === 'SIGKILL' ? satisfied(undefined) : pending(`service still running (${doomed.process.exitCode})`),
      { description: `the service to die at ${point}`, timeoutMs: 60_000, intervalMs: 20 },
    ).catch((error: unknown) => {
      const rows = streamEvents(env.DATABASE_PATH, body.id).map((row) => `  ${row.type} ${row.data}`);
      throw new Error(
        `${(error as Error).message}\nthe drill's events:\n${rows.join('\n')}\nthe service printed:\n${doomed.output().slice(-4000)}`,
      );
    });
    return body.id;
  } finally {
    if (doomed.process.exitCode === null && doomed.process.signalCode === null) {
      doomed.process.kill('SIGKILL');
      await doomed.exited;
    }
  }
}

/** What a test checks of a resumed drill besides the step it resumed. */
export interface ResumeChecks {
  /** The test's own check, from the log and the target, that the drill ran every step to the end once. */
  finishedOnce(id: string): Promise<void>;
  /**
   * Called once the restarted service answers, before the wait for the drill: answers the check to
   * make of that service once the drill has succeeded, before it stops (what it printed, say).
   */
  watch?(restarted: RunningService): () => Promise<void>;
}

/**
 * After `drillKilledAt`: starts the service again on `env`, waits for drill `id` to succeed there
 * and stops it; then expects the log to show `step`, and only it, resumed, and the drill finished
 * once as `checks.finishedOnce` says.
 */
export async function resumedAndFinished(env: DoomedEnv, id: string, step: StepName, checks: ResumeChecks): Promise<void> {
  const restarted = await startService(env);
  try {
    const afterSuccess = checks.watch?.(restarted);
    await drillEnded(restarted.base, id, 'succeeded');
    await afterSuccess?.();
  } finally {
    await restarted.stop();
  }
  const rows = streamEvents(env.DATABASE_PATH, id);
  const resumed = rows.filter((row) => row.type === 'StepResumed').map((row) => (JSON.parse(row.data) as { step: string }).step);
  // Why another step was resumed shows in the events around it, so a mismatch prints them all.
  expect(resumed, `the drill's events:\n${rows.map((row) => `  ${row.type} ${row.data}`).join('\n')}`).toEqual([step]);
  await checks.finishedOnce(id);
}
