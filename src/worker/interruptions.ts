import { errorMessage } from '../common/app-error.js';

/** How many interruptions in a row, with no progress between them, give a drill up as failed. */
export const MAX_INTERRUPTIONS = 8;
const FIRST_RETRY_MS = 500;
export const LONGEST_RETRY_MS = 30_000;

/**
 * What to do when running a drill threw instead of finishing, parking or waiting: the lease's Redis
 * or the audit log's disk failed between steps, say. The drill is not over, and every step is
 * re-entrant, so the same job runs it again after a growing pause and the runner resumes it where
 * its events and the cluster stand. A job that simply failed would leave the drill `running` for
 * ever, possibly with its serving group already killed. A run that moved the drill on (its
 * stream grew since the last interruption) starts the count again; the drill is given up, as
 * failed with the last error, at the `MAX_INTERRUPTIONS`th interruption in a row.
 */
export function afterInterruption(
  previousInterruptions: number,
  error: unknown,
): { readonly retryInMs: number; readonly interruptions: number } | { readonly giveUp: string } {
  const interruptions = previousInterruptions + 1;
  if (interruptions >= MAX_INTERRUPTIONS) {
    return { giveUp: `interrupted ${MAX_INTERRUPTIONS} times; the last time: ${errorMessage(error)}` };
  }
  return { retryInMs: Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (interruptions - 1)), interruptions };
}
