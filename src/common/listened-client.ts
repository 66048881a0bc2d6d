import type { Socket } from 'node:net';
import pg from 'pg';
import { isUnderStatementTimeout, scopeAfter, UNDER_STATEMENT_TIMEOUT, type StatementTimeoutScope } from './statement-timeout-scope.js';

/** How long opening a connection to PostgreSQL may take: the audit log's, the queue's and the leases'. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;

/**
 * How much longer than the statement timeout a connection may stay silent while a statement waits
 * for its answer: long enough for the server to cancel the statement itself and say so, which
 * says more than a dropped connection.
 */
export const SILENCE_GRACE_MS = 5_000;

/** How long a connection whose statements run under `statementTimeoutMs` may send nothing while one waits. */
export function silenceLimitMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + SILENCE_GRACE_MS;
}

/**
 * A server that sent nothing for too long while a statement waited: its host hung, or the
 * network drops every packet. Coded as a socket timeout, so that it counts as the database being
 * away (`isTransientPostgresFailure`).
 */
export class PostgresSilenceError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(silentMs: number) {
    super(`PostgreSQL sent nothing for ${silentMs} ms while a statement waited for its answer; the connection was dropped`);
  }
}

/**
 * A node-postgres client that hears its own `error` event for its whole life, and drops its
 * connection when the server goes silent under a statement.
 *
 * - The pool takes its listener off a connection while it is checked out, and a connection that
 *   loses its server between two statements (a shutdown's `57P01`, a cut socket) then raises an
 *   `error` event nobody hears, which ends the process. The failure is not lost: it fails the
 *   statement under way, or the next one ("not queryable"), and the pool drops the connection
 *   when it comes back.
 * - A server whose host hangs, or a network that drops every packet, closes nothing: a statement
 *   would wait for its answer until the kernel gives the socket up, a quarter of an hour later,
 *   and a drill appending its step would hang with it. The `statement_timeout` cannot help, as
 *   the server that would enforce it is the one not answering. So while a statement waits, the
 *   connection may be silent for `silenceLimitMs` of the statement timeout at most; then it is
 *   destroyed with a `PostgresSilenceError`, the statement fails as the database being away, and
 *   the pool opens a new connection next time. Statements run with the timeout lifted (a
 *   migration, a rebuild: `StatementTimeoutScope`) are not watched.
 *
 * Given as `Client` to every pool: the audit log's, the leases' on the queue's PostgreSQL, and
 * BullMQ's, whose first migration runs on a checked-out connection too.
 */
export class ListenedClient extends pg.Client {
  private readonly silenceLimit: number;
  private scope: StatementTimeoutScope = UNDER_STATEMENT_TIMEOUT;
  private readonly watched = new WeakSet<Socket>();

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
    const statementTimeout = typeof config === 'object' ? config.statement_timeout : undefined;
    this.silenceLimit = typeof statementTimeout === 'number' && statementTimeout > 0 ? silenceLimitMs(statementTimeout) : 0;
    // Every statement answered: nothing waits, and an idle connection may be as quiet as it likes.
    this.on('drain', () => this.socket()?.setTimeout(0));
  }

  // The overloads of pg's `query` are many; each call is passed on as it came.
  override query(...args: unknown[]): never {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string') {
      this.scope = scopeAfter(this.scope, text);
    }
    this.watchSilence(this.silenceLimit > 0 && isUnderStatementTimeout(this.scope) ? this.silenceLimit : 0);
    return (super.query as (...passed: unknown[]) => never)(...args);
  }

  /** Arms (or, with 0, disarms) the socket's idle timer: any byte either way starts it again. */
  private watchSilence(limitMs: number): void {
    const socket = this.socket();
    if (!socket) {
      return;
    }
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      socket.on('timeout', () => socket.destroy(new PostgresSilenceError(this.silenceLimit)));
    }
    socket.setTimeout(limitMs);
  }

  /**
   * The connection's socket once the session is set up; none before, as a TLS connection replaces
   * the plain socket while it sets up, and the connection's own timeout bounds that part.
   */
  private socket(): Socket | undefined {
    const client = this as unknown as { _connected?: boolean; connection?: { stream?: Socket } };
    return client._connected === true ? client.connection?.stream : undefined;
  }
}
