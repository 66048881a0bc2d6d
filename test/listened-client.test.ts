import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenedClient, POSTGRES_CONNECT_TIMEOUT_MS, PostgresSilenceError, silenceLimitMs } from '../src/common/listened-client.js';
import { isTransientPostgresFailure } from '../src/common/postgres-failure.js';
import { settlesWithin } from '../src/common/wait-for.js';
import { chooseQueueBackend } from '../src/queue/queue-backend.js';
import { startCuttingProxy } from './support/cutting-proxy.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

describe('a connection checked out of the pool whose server goes away or goes silent', () => {
  let postgres: TestPostgres;
  let url: string;
  let admin: pg.Client;

  beforeAll(async () => {
    postgres = await startTestPostgres('listened-client');
    url = await postgres.url('pooled');
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await postgres?.stop();
  });

  it('fails the next statement instead of the process, and is not handed out again', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2, Client: ListenedClient });
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The server ends this session (57P01, as in a shutdown) while no statement of its own runs:
      // with a plain client, an error event nobody hears, which ends the process.
      const ended = new Promise((resolve) => client.once('end', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      expect(await settlesWithin(ended, 10_000)).toBe(true);
      const seen = await client.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(seen).toBeInstanceOf(Error);
      expect(isTransientPostgresFailure(seen)).toBe(true);
      client.release();
      // The dead connection was dropped on return; the next checkout gets a live one.
      expect(pool.totalCount).toBe(0);
      const next = await pool.connect();
      expect((await next.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      next.release();
    } finally {
      await pool.end();
    }
  });

  it('drops a connection whose server goes silent under a statement, but not one whose session lifted its statement timeout', async () => {
    const proxy = await startCuttingProxy(postgres.port);
    const statementTimeoutMs = 200;
    const pool = new pg.Pool({
      connectionString: url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
      max: 2,
      Client: ListenedClient,
      statement_timeout: statementTimeoutMs,
    });
    pool.on('error', () => undefined);
    try {
      const idle = await pool.connect();
      await idle.query('SELECT 1');
      // A migration lifts the timeout and may run quiet for longer than the limit; meanwhile the
      // other connection, with nothing asked of it, is left alone however quiet.
      const lifted = await pool.connect();
      await lifted.query('SET statement_timeout = 0');
      await lifted.query('SELECT pg_sleep($1)', [(silenceLimitMs(statementTimeoutMs) + 500) / 1000]);
      await lifted.query('RESET statement_timeout');
      lifted.release();
      expect((await idle.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      idle.release();
      expect(pool.totalCount).toBe(2);

      const watched = await pool.connect();
      proxy.silence();
      const failure = await watched.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(PostgresSilenceError);
      expect(isTransientPostgresFailure(failure)).toBe(true);
      watched.release();
      expect(pool.totalCount).toBe(1);
      proxy.mend();
      const next = await pool.connect();
      expect((await next.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      next.release();
    } finally {
      await pool.end();
      await proxy.close();
    }
  });

  it("is the client of the queue's pools on PostgreSQL, BullMQ's included, which also gets the statement and connection timeouts", () => {
    const choice = chooseQueueBackend({
      queueBackend: 'postgres',
      queueDatabaseUrl: url,
      redisUrl: '',
      queuePrefix: 'listened',
      databaseStatementTimeoutMs: 1_000,
    });
    expect(choice.options.connection).toMatchObject({
      Client: ListenedClient,
      statement_timeout: 1_000,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    });
  });
});
