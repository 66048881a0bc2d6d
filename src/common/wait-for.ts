import { AppError, errorMessage, isTransient } from './app-error.js';

/** What one look at a condition found: either the awaited value, or why it is not there yet. */
export type PollResult<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly reason: string };

export const satisfied = <T>(value: T): PollResult<T> => ({ done: true, value });
export const pending = (reason: string): PollResult<never> => ({ done: false, reason });

export interface WaitOptions {
  /** Says what is awaited; it opens the timeout error's message. */
  readonly description: string;
  readonly timeoutMs: number;
  /** Pause between two looks; the first look is immediate. */
  readonly intervalMs?: number;
}

export class WaitTimeoutError extends AppError {
  readonly code = 'WAIT_TIMED_OUT';
  /**
   * Whether the last look failed on something that may clear (a node that would not answer):
   * then one more wait gives it more time. A condition seen and not met is not transient.
   */
  override readonly transient: boolean;

  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly lastReason: string,
    /** What the last look threw, when it threw. */
    lastFailure?: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${description}; last seen: ${lastReason}`,
      lastFailure === undefined ? undefined : { cause: lastFailure },
    );
    this.transient = isTransient(lastFailure);
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Looks at a condition until it holds or the deadline passes. A probe that throws counts as
 * "not yet" (nodes refuse connections while they start), and its message becomes the reason
 * reported on timeout.
 */
export async function waitFor<T>(probe: () => Promise<PollResult<T>>, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 20;
  const deadline = performance.now() + options.timeoutMs;
  let lastReason = 'not looked at yet';
  let lastFailure: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result.done) {
        return result.value;
      }
      lastReason = result.reason;
      lastFailure = undefined;
    } catch (error) {
      lastReason = errorMessage(error);
      lastFailure = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new WaitTimeoutError(options.description, options.timeoutMs, lastReason, lastFailure);
    }
    await pause(Math.min(interval, left));
  }
}

/** Whether a promise settles within the time given. */
export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
