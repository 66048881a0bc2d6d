import type { Pool, PoolClient } from 'pg';

/**
 * `work` on one connection checked out of `pool`, given back afterwards. node-postgres takes its
 * own error listener off a connection while it is checked out, and a connection that loses its
 * server between two statements (a shutdown's `57P01`, a cut socket) then raises an `error` event
 * nobody hears, which ends the process. One listener is held here for the time of the checkout:
 * the failure reaches `work` through its next statement instead, and the dead connection is
 * destroyed on return rather than handed to the next caller.
 */
export async function withPooledClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost = error;
  };
  client.on('error', onLost);
  try {
    return await work(client);
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}
