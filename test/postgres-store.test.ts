import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/app-config.js';
import { silenceLimitMs } from '../src/common/listened-client.js';
import { openDataSource } from '../src/database/data-source.js';
import { drillEventStore } from '../src/drills/drill-event-store.js';
import { drillId, fakeDrillStore, type FakeDrill } from '../src/drills/testing/fake-drills.js';
import { verifyAuditChain } from '../src/events/audit-verifier.js';
import { PostgresDrillEventRepository } from '../src/events/drill-event.postgres-repository.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { GENESIS_HASH } from '../src/events/event-hash.js';
import { AT_STREAM_END, chainedRows, EventStoreUnavailableError, StreamConflictError, type EventStore } from '../src/events/event-store.js';
import { childEnv } from './support/child-env.js';
import { fetchAs, TEST_API_TOKENS } from './support/service.js';
import { startCuttingProxy } from './support/cutting-proxy.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

const START = '2026-11-25T12:00:00.000Z';
const DRILLS: FakeDrill[] = [
  { id: drillId(1), stepMs: { kill: 3, takeover: 40 } },
  { id: drillId(2), failAt: 'takeover' },
  { id: drillId(3), target: 'staging', stepMs: { kill: 7 } },
  { id: drillId(4), trigger: 'schedule', stepMs: { kill: 5, replicate: 120 } },
  { id: drillId(5), queuedOnly: true },
];
const run = promisify(execFile);
const WINDOW = 'from=2026-11-25T00:00:00.000Z&to=2026-11-26T00:00:00.000Z';

/** Every read the API offers over the log, by path: history, a drill, its events and timeline, statistics and the chain check. */
const READS = [
  '/drills',
  '/drills?status=succeeded',
  '/drills?limit=2',
  `/drills/${drillId(1)}`,
  `/drills/${drillId(2)}`,
  `/drills/${drillId(1)}/events`,
  `/drills/${drillId(4)}/events?after=3&limit=4`,
  `/drills/${drillId(1)}/timeline`,
  `/drills/${drillId(2)}/timeline`,
  `/stats/steps?${WINDOW}`,
  `/stats/steps?${WINDOW}&target=lab`,
  '/audit/verify',
];

/** `npm run events -- …` on the given database: its exit code and output. */
async function events(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'src/events/events.cli.ts', ...args], { env: childEnv(env) }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** The service on the given database, API only, and what each read answers. */
async function answers(env: Record<string, string>): Promise<Record<string, unknown>> {
  const config = loadConfig({ API_TOKENS: TEST_API_TOKENS, WORKER_ENABLED: 'false', LOG_FORMAT: 'text', ...env });
  const app: INestApplication = await createApp(config, { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    const base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api`;
    const answered: Record<string, unknown> = {};
    for (const path of READS) {
      const response = await fetchAs(`${base}${path}`, {}, 'viewer');
      answered[path] = { status: response.status, body: await response.json() };
    }
    return answered;
  } finally {
    await app.close();
  }
}

async function runDrills(database: Parameters<typeof fakeDrillStore>[1]): Promise<void> {
  const drills = await fakeDrillStore(START, database);
  try {
    for (const drill of DRILLS) {
      await drills.run(drill);
    }
  } finally {
    await drills.close();
  }
}

describe('the audit log on PostgreSQL', () => {
  let postgres: TestPostgres;
  let directory: string;

  beforeAll(async () => {
    postgres = await startTestPostgres('postgres-store');
    directory = mkdtempSync(join(tmpdir(), 'postgres-store-'));
  });

  afterAll(async () => {
    await postgres?.stop();
    if (directory) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('gives the same answers over the API as SQLite for the same drills, and again after a rebuild', async () => {
    const databasePath = join(directory, 'drills.sqlite');
    const databaseUrl = await postgres.url('compare');
    await runDrills(databasePath);
    await runDrills({ databasePath: '', databaseUrl });

    const fromSqlite = await answers({ DATABASE_PATH: databasePath });
    const fromPostgres = await answers({ DATABASE_URL: databaseUrl });
    expect(fromPostgres).toEqual(fromSqlite);
    // The answers are real ones, not five matching errors.
    expect((fromSqlite['/drills'] as { body: { items: unknown[] } }).body.items).toHaveLength(DRILLS.length);
    expect(fromSqlite[`/drills/${drillId(2)}`]).toMatchObject({ status: 200, body: { status: 'failed' } });
    expect(fromSqlite['/audit/verify']).toMatchObject({ status: 200, body: { intact: true, eventsChecked: expect.any(Number) } });
    expect(fromSqlite[`/stats/steps?${WINDOW}`]).toMatchObject({ status: 200, body: { drills: { count: 4 } } });

    const dataSource = await openDataSource({ databasePath: '', databaseUrl });
    try {
      await dataSource.query('DELETE FROM drill_steps');
      await dataSource.query('DELETE FROM drills');
      expect(await drillEventStore(dataSource).rebuildProjections()).toEqual({ streams: DRILLS.length });
    } finally {
      await dataSource.destroy();
    }
    expect(await answers({ DATABASE_URL: databaseUrl })).toEqual(fromSqlite);
  });

  it('lets exactly one of several connections append at a sequence, and keeps the chain whole', async () => {
    const url = await postgres.url('concurrent');
    const writers: { dataSource: DataSource; store: EventStore }[] = [];
    for (let n = 0; n < 6; n++) {
      const dataSource = await openDataSource({ databasePath: '', databaseUrl: url });
      writers.push({ dataSource, store: drillEventStore(dataSource) });
    }
    try {
      const metadata = { occurredAt: new Date(START), actor: 'ops-alice', streamKind: 'race' };
      for (const expected of [0, 1, 2]) {
        const outcomes = await Promise.allSettled(
          writers.map(({ store }, writer) => store.append('race', expected, [{ type: 'Claimed', data: { writer } }], metadata)),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected')) {
          expect(outcome.reason).toBeInstanceOf(StreamConflictError);
        }
      }
      // Writers on streams of their own all go through, each chained to whoever went before.
      await Promise.all(
        writers.map(({ store }, writer) =>
          store.append(
            `own-${writer}`,
            0,
            [
              { type: 'Claimed', data: { writer } },
              { type: 'Released', data: {} },
            ],
            {
              ...metadata,
              streamKind: 'own',
            },
          ),
        ),
      );
      const report = await verifyAuditChain(new PostgresDrillEventRepository(writers[0]!.dataSource));
      expect(report).toMatchObject({ intact: true, eventsChecked: 3 + writers.length * 2 });
      expect(await writers[0]!.store.read('race')).toHaveLength(3);
    } finally {
      await Promise.all(writers.map(({ dataSource }) => dataSource.destroy()));
    }
  });

  it("writes a drill's summary with its append only when the append goes through, and from the stream when another writer moved it on", async () => {
    const url = await postgres.url('summaries');
    const [first, second] = await Promise.all([0, 1].map(() => openDataSource({ databasePath: '', databaseUrl: url })));
    try {
      const stores = [drillEventStore(first!), drillEventStore(second!)];
      const id = drillId(7);
      const at = (ms: number) => ({ occurredAt: new Date(Date.parse(START) + ms), actor: 'ops-alice', streamKind: 'drill' });
      const summary = async () => {
        const [row] = await first!.query<unknown[]>('SELECT status, started_at AS "startedAt", version FROM drills WHERE id = $1', [id]);
        return row;
      };
      await stores[0]!.append(
        id,
        0,
        [{ type: 'DrillRequested', data: { scenario: 'group-failover', target: 'lab', trigger: 'manual' } }],
        at(0),
      );
      // Both writers start the drill at the same sequence: one goes through, and only its summary is written.
      const outcomes = await Promise.allSettled(
        stores.map((store, writer) => store.append(id, 1, [{ type: 'DrillStarted', data: { plan: ['prepare'] } }], at(10 + writer))),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
      expect(outcomes[1 - winner]).toMatchObject({ status: 'rejected', reason: expect.any(StreamConflictError) });
      expect(await summary()).toEqual({
        status: 'running',
        startedAt: new Date(Date.parse(START) + 10 + winner).toISOString(),
        version: 2,
      });
      // The writer that lost remembers the drill as it left it; it reads the stream before its next append.
      await stores[1 - winner]!.append(id, 2, [{ type: 'StepStarted', data: { step: 'prepare' } }], at(20));
      await stores[winner]!.append(id, 3, [{ type: 'StepSucceeded', data: { step: 'prepare', durationMs: 5 } }], at(25));
      const written = await first!.query('SELECT * FROM drills ORDER BY id');
      const steps = await first!.query('SELECT * FROM drill_steps ORDER BY drill_id, ordinal');
      expect(written).toMatchObject([{ id, status: 'running', version: 4 }]);
      expect(steps).toMatchObject([{ drill_id: id, name: 'prepare', status: 'succeeded', duration_ms: 5 }]);
      // What a rebuild from the events alone makes is the same.
      await drillEventStore(first!).rebuildProjections();
      expect(await first!.query('SELECT * FROM drills ORDER BY id')).toEqual(written);
      expect(await first!.query('SELECT * FROM drill_steps ORDER BY drill_id, ordinal')).toEqual(steps);
    } finally {
      await Promise.all([first?.destroy(), second?.destroy()]);
    }
  });

  it('chains events in the server to the hashes the TypeScript writes, whatever their text holds', async () => {
    const url = await postgres.url('hashes');
    const dataSource = await openDataSource({ databasePath: '', databaseUrl: url });
    try {
      const store = drillEventStore(dataSource);
      const awkward = 'quote " backslash \\ newline \n tab \t \b \f \r \u0001 \u001f \u007f é 漢 😀 </script> \u2028';
      const events = [
        { type: 'Noted', data: { text: awkward, nested: { list: [1, 2.5, null, true] } } },
        { type: 'Noted', schemaVersion: 3, actor: `actor ${awkward}`, data: { [awkward]: awkward } },
      ];
      const metadata = { occurredAt: new Date(START), actor: 'ops-alice', streamKind: 'notes' };
      const recorded = await store.append('notes', 0, events, metadata);
      const more = await store.append('notes', AT_STREAM_END, [{ type: 'Noted', data: {} }], { ...metadata, streamKind: undefined });
      const expected = chainedRows({ position: 0, hash: GENESIS_HASH }, 'notes', 1, events, metadata);
      expect(recorded.map((event) => event.hash)).toEqual(expected.map((row) => row.hash));
      expect(more[0]!.hash).toBe(chainedRows(expected.at(-1)!, 'notes', 3, [{ type: 'Noted', data: {} }], metadata)[0]!.hash);
      expect(await store.read('notes')).toEqual([...recorded, ...more]);
      expect(await verifyAuditChain(new PostgresDrillEventRepository(dataSource))).toMatchObject({ intact: true, eventsChecked: 3 });

      // Refused appends write nothing: a stream of another kind, a new stream without one, a stale sequence.
      await expect(store.append('notes', 3, [{ type: 'Noted', data: {} }], { ...metadata, streamKind: 'other' })).rejects.toThrow(
        'stream notes is a notes stream, not a other one',
      );
      await expect(store.append('unnamed', 0, [{ type: 'Noted', data: {} }], { ...metadata, streamKind: undefined })).rejects.toThrow(
        'must name its kind',
      );
      await expect(store.append('notes', 1, [{ type: 'Noted', data: {} }], metadata)).rejects.toBeInstanceOf(StreamConflictError);
      expect(await new PostgresDrillEventRepository(dataSource).headPosition()).toBe(3);
    } finally {
      await dataSource.destroy();
    }
  });

  it('gives up an append that waits past the statement timeout behind a lock another session holds, as the database being away', async () => {
    const url = await postgres.url('timeout');
    const dataSource = await openDataSource({ databasePath: '', databaseUrl: url, databaseStatementTimeoutMs: 500 });
    const hung = new pg.Client({ connectionString: url });
    await hung.connect();
    try {
      const store = drillEventStore(dataSource);
      const metadata = { occurredAt: new Date(START), actor: 'ops-alice', streamKind: 'timeout' };
      await store.append('timeout', 0, [{ type: 'Noted', data: { n: 1 } }], metadata);
      // An instance that took the log's lock and stopped answering.
      await hung.query('BEGIN');
      await hung.query('SELECT position FROM log_high_water FOR UPDATE');
      const refused = await store.append('timeout', 1, [{ type: 'Noted', data: { n: 2 } }], metadata).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(EventStoreUnavailableError);
      expect((refused as Error).message).toContain('statement timeout');
      await hung.query('ROLLBACK');
      // The same append, as a parked drill makes it again, goes through once the lock is let go.
      await store.append('timeout', 1, [{ type: 'Noted', data: { n: 2 } }], metadata);
      expect(await verifyAuditChain(new PostgresDrillEventRepository(dataSource))).toMatchObject({ intact: true, eventsChecked: 2 });
    } finally {
      await hung.end();
      await dataSource.destroy();
    }
  });

  it('counts a connection cut without an error code as the database being away, and appends again once it is back', async () => {
    const url = await postgres.url('cut');
    const proxy = await startCuttingProxy(postgres.port);
    const dataSource = await openDataSource({ databasePath: '', databaseUrl: url.replace(`:${postgres.port}/`, `:${proxy.port}/`) });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      const store = drillEventStore(dataSource);
      const metadata = { occurredAt: new Date(START), actor: 'ops-alice', streamKind: 'cut' };
      await store.append('cut', 0, [{ type: 'Noted', data: { n: 1 } }], metadata);
      // Held here so that the append is surely on the wire when its connection is cut.
      await locker.query('BEGIN');
      await locker.query('SELECT position FROM log_high_water FOR UPDATE');
      const cutOff = store.append('cut', 1, [{ type: 'Noted', data: { n: 2 } }], metadata).catch((error: unknown) => error);
      await waitFor(
        async () => {
          const { rows: waiting } = await locker.query<{ count: number }>(
            // pg_locks, not pg_stat_activity, which a transaction reads once and keeps.
            'SELECT count(*)::int AS count FROM pg_locks WHERE NOT granted',
          );
          return waiting[0]!.count > 0 ? satisfied(undefined) : pending('no append waits for the lock yet');
        },
        { description: 'the append to wait for the log lock', timeoutMs: 10_000, intervalMs: 20 },
      );
      proxy.cut();
      const failure = await cutOff;
      expect(failure).toBeInstanceOf(EventStoreUnavailableError);
      expect((failure as Error).message).toContain('Connection terminated');
      await expect(store.read('cut')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await locker.query('ROLLBACK');
      proxy.mend();
      await store.append('cut', 1, [{ type: 'Noted', data: { n: 2 } }], metadata);
      expect(await store.read('cut')).toHaveLength(2);
      expect(await verifyAuditChain(new PostgresDrillEventRepository(dataSource))).toMatchObject({ intact: true, eventsChecked: 2 });
    } finally {
      await locker.end();
      await dataSource.destroy();
      await proxy.close();
    }
  });

  it('gives up an append whose server goes silent, as the database being away, and appends it once, once the server answers', async () => {
    const url = await postgres.url('silent');
    const proxy = await startCuttingProxy(postgres.port);
    const statementTimeoutMs = 300;
    const dataSource = await openDataSource({
      databasePath: '',
      databaseUrl: url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
      databaseStatementTimeoutMs: statementTimeoutMs,
    });
    try {
      const store = drillEventStore(dataSource);
      const metadata = { occurredAt: new Date(START), actor: 'ops-alice', streamKind: 'silent' };
      await store.append('silent', 0, [{ type: 'Noted', data: { n: 1 } }], metadata);
      // The server's host hangs: nothing comes back, nothing is closed, on the connection the pool holds.
      proxy.silence();
      const failure = await store.append('silent', 1, [{ type: 'Noted', data: { n: 2 } }], metadata).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EventStoreUnavailableError);
      expect((failure as Error).message).toContain(`PostgreSQL sent nothing for ${silenceLimitMs(statementTimeoutMs)} ms`);
      proxy.mend();
      // The same append, as a parked drill makes it again: written once, the dropped one rolled back.
      await store.append('silent', 1, [{ type: 'Noted', data: { n: 2 } }], metadata);
      expect((await store.read('silent')).map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(await verifyAuditChain(new PostgresDrillEventRepository(dataSource))).toMatchObject({ intact: true, eventsChecked: 2 });
    } finally {
      await dataSource.destroy();
      await proxy.close();
    }
  });

  it('refuses edits and deletions of events in the database itself, and the chain shows a tail cut off', async () => {
    const url = await postgres.url('append_only');
    await runDrills({ databasePath: '', databaseUrl: url });
    const dataSource = await openDataSource({ databasePath: '', databaseUrl: url });
    try {
      await expect(dataSource.query(`UPDATE drill_events SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(dataSource.query('DELETE FROM drill_events WHERE position = 1')).rejects.toThrow(/append-only/);
      await expect(dataSource.query('TRUNCATE drill_events')).rejects.toThrow(/append-only/);
      await expect(dataSource.query('UPDATE log_high_water SET position = 1')).rejects.toThrow(/only rises/);
      const events = new PostgresDrillEventRepository(dataSource);
      const intact = await verifyAuditChain(events);
      expect(intact.intact).toBe(true);

      // Only by dropping the trigger first, which the owner of the table can do, and the chain tells.
      await dataSource.query('ALTER TABLE drill_events DISABLE TRIGGER drill_events_no_delete');
      await dataSource.query('DELETE FROM drill_events WHERE position = $1', [intact.head!.position]);
      expect(await verifyAuditChain(events)).toMatchObject({
        intact: false,
        firstBrokenLink: { position: intact.head!.position, problem: expect.stringContaining('were removed') },
      });
    } finally {
      await dataSource.destroy();
    }
  });

  it('moves a log from SQLite to PostgreSQL and back with every event and hash, verified after each move', async () => {
    const source = join(directory, 'source.sqlite');
    const back = join(directory, 'back.sqlite');
    const url = await postgres.url('moved');
    await runDrills(source);
    const exported = join(directory, 'from-sqlite.jsonl');
    const reexported = join(directory, 'from-postgres.jsonl');

    expect(await events(['export', exported], { DATABASE_PATH: source })).toMatchObject({ code: 0 });
    const imported = await events(['import', exported], { DATABASE_URL: url });
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact, \d+ event\(s\); head at position/) });
    expect(imported.stdout).not.toContain(postgres.password);
    expect(await events(['export', reexported], { DATABASE_URL: url })).toMatchObject({ code: 0 });
    expect(readFileSync(reexported, 'utf8')).toBe(readFileSync(exported, 'utf8'));
    expect(await events(['import', reexported], { DATABASE_PATH: back })).toMatchObject({ code: 0 });
    expect(await answers({ DATABASE_PATH: back })).toEqual(await answers({ DATABASE_PATH: source }));

    // Into a log that holds events: refused, and nothing written.
    const refused = await events(['import', exported], { DATABASE_URL: url });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('a log is restored only into an empty one') });
    // A file whose event was edited: refused before anything is written.
    const edited = readFileSync(exported, 'utf8').replace('"actor":"ops-alice"', '"actor":"mallory"');
    writeFileSync(join(directory, 'edited.jsonl'), edited);
    const tampered = await events(['import', join(directory, 'edited.jsonl')], { DATABASE_PATH: join(directory, 'never.sqlite') });
    expect(tampered).toMatchObject({ code: 1, stderr: expect.stringContaining('BROKEN at position') });
  });

  it('never shows the password of DATABASE_URL in an error', async () => {
    const wrong = `wrong-${postgres.password}`;
    const url = `postgres://postgres:${wrong}@127.0.0.1:${postgres.port}/postgres`;
    const failure = await openDataSource({ databasePath: '', databaseUrl: url }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(`${failure!.message}\n${failure!.stack ?? ''}`).not.toContain(wrong);
    expect(() => loadConfig({ DATABASE_URL: `mysql://postgres:${wrong}@127.0.0.1/postgres` })).toThrow(
      /DATABASE_URL must look like postgres:\/\//,
    );
    expect(() => loadConfig({ DATABASE_URL: `mysql://postgres:${wrong}@127.0.0.1/postgres` })).not.toThrow(wrong);
  });
});
