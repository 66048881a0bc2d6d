import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import { streamEvents } from './after-failover.js';
import { post, startService } from './service.js';

/**
 * Starts a service that SIGKILLs itself at `point` (`DRILL_CRASH_AT`), requests a group-failover
 * drill on it and waits for the death; answers the drill's id. A service that does not die is
 * killed, and the error says why: the drill's events (from the SQLite log at `env.DATABASE_PATH`)
 * and what the service printed.
 */
export async function drillKilledAt(env: Record<string, string> & { DATABASE_PATH: string }, point: string): Promise<string> {
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
