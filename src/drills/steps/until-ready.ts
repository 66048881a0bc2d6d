import { pending, satisfied, waitFor, WaitTimeoutError } from '../../common/wait-for.js';
import { PreflightFailedError } from '../preflight.js';
import type { StepContext } from './step-context.js';

/**
 * Looks at the target until `look` finds no problem, for the readiness check's few seconds: a
 * cluster still settling (a replica catching up, a change not yet gossiped) gets that long. Past
 * it, the drill is refused (`target-ready`) with every problem still there, and `afterwards` said.
 */
export async function untilReady<T>(
  context: StepContext,
  description: string,
  look: () => Promise<{ readonly problems: readonly string[]; readonly value: T }>,
  afterwards = '',
): Promise<T> {
  let problems: readonly string[] = [];
  try {
    return await waitFor(
      async () => {
        const seen = await look();
        problems = seen.problems;
        return problems.length === 0 ? satisfied(seen.value) : pending(problems.join('; '));
      },
      { description, timeoutMs: context.settings.readinessTimeoutMs, intervalMs: 100 },
    );
  } catch (error) {
    throw error instanceof WaitTimeoutError && problems.length > 0
      ? new PreflightFailedError([{ check: 'target-ready', problem: `not ready for a failover: ${problems.join('; ')}${afterwards}` }])
      : error;
  }
}
