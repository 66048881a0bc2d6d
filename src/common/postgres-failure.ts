/** SQLSTATE classes of a server that is gone, shutting down, starting up or out of connections. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/**
 * What node-postgres says, with no code, when the server closes the connection under a query, or
 * when a statement is sent on a connection already lost.
 */
const CONNECTION_TERMINATED = /^(Connection terminated|Client has encountered a connection error and is not queryable)/;

/**
 * Whether a failure from PostgreSQL says the server is away for now (a refused, unreachable or
 * dropped connection, a server shutting down, starting up or out of connections), so that the
 * same statement may go through later. The one list: the queue's locks and the event store
 * (`classifiedFailure`) both go by it. Reads node-postgres' error as thrown, or as TypeORM wraps
 * it (`driverError`).
 */
export function isTransientPostgresFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const driverError = (error as { driverError?: unknown }).driverError;
  const code = postgresErrorCode(error);
  if (code !== '') {
    return SOCKET_CODES.has(code) || UNAVAILABLE_STATES.test(code);
  }
  return CONNECTION_TERMINATED.test(error.message) || (driverError instanceof Error && CONNECTION_TERMINATED.test(driverError.message));
}

/** The SQLSTATE or network code of an error from node-postgres, as thrown or wrapped by TypeORM; '' when it has none. */
export function postgresErrorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * `query_canceled`, as the statement timeout cancels a statement (a lock held by a hung instance,
 * a server that stopped answering), and `lock_not_available`, as a lock timeout would.
 */
const TIMED_OUT = new Set(['57014', '55P03']);

/** Whether a failure from PostgreSQL is a statement that ran out of time (behind a lock a hung session holds, say): it may pass later. */
export function isTimedOutPostgresStatement(error: unknown): boolean {
  return TIMED_OUT.has(postgresErrorCode(error));
}
