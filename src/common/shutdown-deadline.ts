import { Logger } from '@nestjs/common';

/** How long closing connections may take once no drill is left running. */
export const SHUTDOWN_DEADLINE_MS = 5_000;

let armed = false;

/**
 * Bounds the rest of a shutdown. Closing a queue or a Redis connection waits for the server to
 * answer; when the queue's Redis is gone, that wait never ends and SIGTERM would not stop the
 * process. Armed once nothing is left to park, it ends the process after the deadline.
 */
export function armShutdownDeadline(ms = SHUTDOWN_DEADLINE_MS): void {
  if (armed) {
    return;
  }
  armed = true;
  setTimeout(() => {
    new Logger('Shutdown').error(`connections did not close within ${ms} ms (is the queue's Redis reachable?); exiting anyway`);
    process.exit(1);
  }, ms).unref();
}
