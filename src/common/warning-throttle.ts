/** The shortest interval between two warnings about the same broken connection. */
export const WARNING_INTERVAL_MS = 10_000;

/**
 * Passes on at most one warning per interval: a connection that stays down fails every few
 * milliseconds, and one line every few seconds says the same.
 */
export function throttled(warn: (message: string) => void, intervalMs = WARNING_INTERVAL_MS, now = Date.now): (message: string) => void {
  let last = -Infinity;
  return (message) => {
    if (now() - last >= intervalMs) {
      last = now();
      warn(message);
    }
  };
}
