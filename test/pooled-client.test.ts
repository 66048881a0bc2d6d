import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPooledClient } from '../src/common/pooled-client.js';
import { isTransientPostgresFailure } from '../src/common/postgres-failure.js';
import { settlesWithin } from '../src/common/wait-for.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

describe('a connection checked out of the pool whose server goes away between two statements', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;
  let admin: pg.Client;

  beforeAll(async () => {
    postgres = await startTestPostgres('pooled-client');
    const url = await postgres.url('pooled');
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await pool?.end();
    await postgres?.stop();
  });

  it('fails the next statement instead of the process, and is not handed out again', async () => {
    const seen = await withPooledClient(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The server ends this session (57P01, as in a shutdown) while no statement of its own runs:
      // the unheard error event that used to end the process.
      const ended = new Promise((resolve) => client.once('end', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      expect(await settlesWithin(ended, 10_000)).toBe(true);
      return client.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(seen).toBeInstanceOf(Error);
    expect(isTransientPostgresFailure(seen)).toBe(true);
    // The dead connection was destroyed on return; the next checkout gets a live one.
    expect(pool.totalCount).toBe(0);
    expect(await withPooledClient(pool, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one)).toBe(1);
  });
});
