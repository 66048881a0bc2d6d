/** SQLSTATE classes of a server that is gone, shutting down, starting up or out of connections. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** What node-postgres says when the server closes the connection under a query; it gives no code for it. */
const CONNECTION_TERMINATED = /^Connection terminated/;

/** Classifies a raw node-postgres failure: transient when the server may answer again (a dropped or refused connection). */
export function isTransientPostgresFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    return SOCKET_CODES.has(code) || UNAVAILABLE_STATES.test(code);
  }
  return CONNECTION_TERMINATED.test(error.message);
}
