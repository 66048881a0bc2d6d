import pg from 'pg';

/**
 * A node-postgres client that hears its own `error` event for its whole life. The pool takes its
 * listener off a connection while it is checked out, and a connection that loses its server
 * between two statements (a shutdown's `57P01`, a cut socket) then raises an `error` event nobody
 * hears, which ends the process. The failure is not lost: it fails the statement under way, or
 * the next one ("not queryable"), and the pool drops the connection when it comes back. Given as
 * `Client` to every pool on the queue's PostgreSQL: the leases' own, and BullMQ's, whose first
 * migration runs on a checked-out connection too.
 */
export class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}
