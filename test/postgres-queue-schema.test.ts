import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULLMQ_FUNCTIONS, BULLMQ_TABLES } from '../src/queue/postgres-queue-schema.js';
import { chooseQueueBackend, queueStoreFor, type OwnedQueueStore } from '../src/queue/queue-backend.js';
import { queryPostgres, startTestPostgres, type TestPostgres } from './support/postgres.js';

const PREFIX = 'schema-repair';
const STATEMENT_TIMEOUT_MS = 500;

describe("the PostgreSQL queue's schema made again when part of it is gone", () => {
  let postgres: TestPostgres;
  let url: string;
  let store: OwnedQueueStore;
  let queue: Queue;
  let schema: string;

  const tables = async () =>
    (
      await queryPostgres<{ name: string }>(
        url,
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = '${schema}' AND tablename NOT LIKE 'target_%' ORDER BY 1`,
      )
    ).map((row) => row.name);

  const functions = async () =>
    (
      await queryPostgres<{ name: string }>(
        url,
        `SELECT DISTINCT proname AS name FROM pg_proc WHERE pronamespace = to_regnamespace('${schema}') ORDER BY 1`,
      )
    ).map((row) => row.name);

  beforeAll(async () => {
    postgres = await startTestPostgres('pg-store-queue-schema');
    url = await postgres.url('queue');
    const config = {
      queueBackend: 'postgres' as const,
      queueDatabaseUrl: url,
      redisUrl: '',
      queuePrefix: PREFIX,
      databaseStatementTimeoutMs: STATEMENT_TIMEOUT_MS,
    };
    const choice = chooseQueueBackend(config);
    schema = choice.schema!;
    store = queueStoreFor(choice, { ...config, workerLeaseMs: 10_000, reservationMs: 60_000 });
    queue = new Queue('drills', choice.options as never, choice.factory as never);
  });

  afterAll(async () => {
    await queue?.close();
    await store?.close();
    await postgres?.stop();
  });

  it('watches every table and function BullMQ makes, so that one a newer BullMQ adds fails this until it is listed', async () => {
    await queue.waitUntilReady();
    expect(await tables()).toEqual([...BULLMQ_TABLES].sort());
    expect(await functions()).toEqual([...BULLMQ_FUNCTIONS].sort());
    expect(await store.restoreLostSchema()).toBe(false);
    // The whole schema dropped, its ledger with it: BullMQ's migrations run again.
    await queryPostgres(url, `DROP SCHEMA "${schema}" CASCADE`);
    expect(await store.restoreLostSchema()).toBe(true);
    expect(await tables()).toEqual([...BULLMQ_TABLES].sort());
  });

  it("gives up a lease call that waits past the statement timeout behind a hung session's lock on the target, as the store being away", async () => {
    const hung = new pg.Client({ connectionString: url });
    await hung.connect();
    try {
      // A session that took the target's lock and hangs in its transaction, as an instance frozen mid-call would.
      await hung.query('BEGIN');
      await hung.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [schema, 'lab']);
      const started = performance.now();
      await expect(store.locks.reserve('lab', 'drill-behind')).rejects.toMatchObject({ code: 'LOCK_STORE_FAILED', transient: true });
      expect(performance.now() - started).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      await hung.query('ROLLBACK');
      expect(await store.locks.reserve('lab', 'drill-behind')).toEqual({ reserved: true });
      await queryPostgres(url, `DELETE FROM "${schema}".target_holder`);
    } finally {
      await hung.end();
    }
  });

  it("gives up a job call that waits past the statement timeout behind a hung session's lock on BullMQ's table, and works once it is let go", async () => {
    await queue.waitUntilReady();
    const hung = new pg.Client({ connectionString: url });
    await hung.connect();
    try {
      // A session that locked the queue's jobs and hangs in its transaction, as an instance frozen mid-call would.
      await hung.query('BEGIN');
      await hung.query(`LOCK TABLE "${schema}"."job" IN ACCESS EXCLUSIVE MODE`);
      const started = performance.now();
      await expect(queue.add('drill', { n: 0 })).rejects.toThrow('statement timeout');
      expect(performance.now() - started).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      await hung.query('ROLLBACK');
      await queue.add('drill', { n: 0 });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
      await queue.drain();
    } finally {
      await hung.end();
    }
  });

  it.each([
    ['the table job', (schema: string) => `DROP TABLE "${schema}"."job" CASCADE`],
    ['the table scheduler', (schema: string) => `DROP TABLE "${schema}"."scheduler" CASCADE`],
    ['the table meta', (schema: string) => `DROP TABLE "${schema}"."meta" CASCADE`],
    ['the function move_stalled_jobs_to_wait', (schema: string) => `DROP FUNCTION "${schema}".move_stalled_jobs_to_wait CASCADE`],
  ])('makes BullMQ its schema again when %s alone was dropped under a running queue, keeping the target leases', async (_, drop) => {
    await queue.add('drill', { n: 1 });
    expect(await store.locks.reserve('lab', 'drill-1')).toEqual({ reserved: true });
    const whole = { tables: await tables(), functions: await functions() };
    await queryPostgres(url, drop(schema));
    expect({ tables: await tables(), functions: await functions() }).not.toEqual(whole);

    expect(await store.restoreLostSchema()).toBe(true);
    expect(await tables()).toEqual([...BULLMQ_TABLES].sort());
    expect(await functions()).toEqual([...BULLMQ_FUNCTIONS].sort());
    expect(await store.restoreLostSchema()).toBe(false);
    // The queue that was connected all along works on the new tables; the lease is still held.
    await queue.add('drill', { n: 2 });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect(await store.locks.holder('lab')).toMatchObject({ drillId: 'drill-1' });
    await queryPostgres(url, `DELETE FROM "${schema}".target_holder`);
  });
});
