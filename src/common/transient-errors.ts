const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'SQLITE_BUSY']);
const TRANSIENT_MESSAGES = [/Connection is closed/i, /Command timed out/i, /socket hang up/i, /LOADING /, /TRYAGAIN/, /CLUSTERDOWN/];

/**
 * An error that is a conclusion, not a failure to reach one: a refusal may quote a connection
 * error it saw (`b4 is unreachable: Connection is closed`), and trying again would only repeat it.
 */
export interface Verdict {
  readonly verdict: true;
}

/**
 * Whether an error is worth one more try: a dropped or refused connection, a timeout, a busy
 * database, a Docker engine answering 5xx. Everything else (a refusal, a wrong state, bad data)
 * fails at once, because doing the same again would give the same answer.
 */
export function isTransient(error: unknown): boolean {
  if ((error as Partial<Verdict> | undefined)?.verdict === true) {
    return false;
  }
  for (let current: unknown = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    const { code, statusCode } = current as { code?: string; statusCode?: number };
    if ((code && TRANSIENT_CODES.has(code)) || (statusCode !== undefined && statusCode >= 500)) {
      return true;
    }
    if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) {
      return true;
    }
  }
  return false;
}
