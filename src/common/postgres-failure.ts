/** SQLSTATE classes of a server that is gone, shutting down, starting up or out of connections. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** What node-postgres says when the server closes the connection under a query; it gives no code for it. */
const CONNECTION_TERMINATED = /^Connection terminated/;

/**
 * Whether a SQLSTATE says the server is away for now, so that the same statement may go through
 * later. The one list of them: the queue's locks (`isTransientPostgresFailure`) and the event
 * store (`classifiedFailure`) both go by it.
 */
export function isUnavailablePostgresState(code: string): boolean {
  return UNAVAILABLE_STATES.test(code);
}

/**
 * Classifies a raw node-postgres failure: transient when the server may answer again (a dropped or
 * refused connection). The event store's `classifiedFailure` (`src/database/postgres.ts`) shares
 * the SQLSTATEs and differs on the rest: it also reads the `driverError` TypeORM wraps (the queue
 * uses node-postgres' pool directly), and it does not count EHOSTUNREACH, nor a connection
 * terminated without a code, as the database being down. Counting them there would make a drill
 * park, and a reader get a 503, on failures that today end as any other error; the two stay apart
 * until that change is made on purpose.
 */
export function isTransientPostgresFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    return SOCKET_CODES.has(code) || isUnavailablePostgresState(code);
  }
  return CONNECTION_TERMINATED.test(error.message);
}
