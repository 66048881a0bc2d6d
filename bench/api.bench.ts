/**
 * Seeds an audit log with 10,000 drills and 1,000,000 events, serves it with the built service,
 * and loads each read endpoint with autocannon; then measures appends to the log. With
 * `--store both` (the default) it does so on SQLite and then on PostgreSQL (a server of its own,
 * fsync on, seeded with the same rows), and prints the figures side by side.
 *
 *   npm run bench:api -- [--store both|sqlite|postgres] [--drills 10000] [--events-per-drill 100] [--seconds 5] [--connections 10]
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { openDataSource } from '../src/database/data-source.js';
import { inTransaction } from '../src/database/postgres.js';
import { DRILL_STREAM_KIND, type DrillEvent } from '../src/drills/drill-events.js';
import { PostgresDrillSummaryRepository } from '../src/drills/drill-summary.postgres-repository.js';
import { PostgresDrillSummaryProjection } from '../src/drills/drill-summary.postgres-projection.js';
import { DrillSummaryRepository } from '../src/drills/drill-summary.repository.js';
import { DrillSummaryProjection } from '../src/drills/drill-summary.projection.js';
import { PostgresDrillEventRepository } from '../src/events/drill-event.postgres-repository.js';
import { DrillEventRepository } from '../src/events/drill-event.repository.js';
import type { DrillEventRow } from '../src/events/drill-event.entity.js';
import { PostgresEventStore } from '../src/events/postgres-event-store.js';
import { SqliteEventStore } from '../src/events/sqlite-event-store.js';
import { StepStats } from '../src/stats/step-stats.service.js';
import { systemClock } from '../src/common/clock.js';
import { childEnv } from '../test/support/child-env.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres.js';
import { seedHistory, syntheticDrill } from './seed-history.js';
import { percentile } from './stats.js';

const STORES = ['sqlite', 'postgres'] as const;
type Store = (typeof STORES)[number];

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    drills: { type: 'string', default: '10000' },
    'events-per-drill': { type: 'string', default: '100' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
  },
});
if (values.store !== 'both' && !STORES.includes(values.store as Store)) {
  throw new Error(`--store must be both, sqlite or postgres, got ${JSON.stringify(values.store)}`);
}
const stores: readonly Store[] = values.store === 'both' ? STORES : [values.store as Store];
const drills = Number(values.drills);
const eventsPerDrill = Number(values['events-per-drill']);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
/** Rows per INSERT when copying the seeded log into PostgreSQL, and rows per transaction. */
const COPY_BATCH = 2_000;
const COPY_TRANSACTION = 100_000;
const APPEND_SINGLE = 'one event per append (as a drill step records)';
const APPEND_DRILL = 'one drill of 40 events per append';
const NAMES: Record<Store, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

interface Figures {
  readonly load: Map<string, { p50: number; p99: number; rate: number; errors: number }>;
  readonly uncachedStats: { median: number; max: number };
  readonly appends: Map<string, { rate: number; p50: number; p99: number; max: number }>;
}

const directory = mkdtempSync(join(tmpdir(), 'redis-drill-bench-api-'));
const databasePath = join(directory, 'drills.sqlite');
let postgres: TestPostgres | undefined;
try {
  const seeding = performance.now();
  const dataSource = await openDataSource(databasePath);
  const store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  const { ids, events } = seedHistory(store, drills, eventsPerDrill);
  await store.rebuildStaleProjections();
  await dataSource.destroy();
  console.log(`seeded ${drills} drills, ${events} events in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  const figures = new Map<Store, Figures>();
  for (const kind of stores) {
    if (kind === 'sqlite') {
      figures.set(kind, await measureStore(kind, { DATABASE_PATH: databasePath }, ids, () => openSqlite(databasePath)));
    } else {
      postgres = await startTestPostgres('redis-drill-bench-api', { durable: true });
      const url = await postgres.url('drills');
      const copying = performance.now();
      await copyIntoPostgres(databasePath, url);
      console.log(`copied the log into PostgreSQL in ${((performance.now() - copying) / 1000).toFixed(1)} s`);
      figures.set(kind, await measureStore(kind, { DATABASE_URL: url }, ids, () => openPostgres(url)));
    }
  }
  report(figures);
} finally {
  await postgres?.stop();
  rmSync(directory, { recursive: true, force: true });
}

/** What the benchmark measures appends and uncached statistics with, on one store. */
interface Measured {
  readonly dataSource: DataSource;
  readonly stats: StepStats;
  append(drillId: string, sequence: number, events: DrillEvent[]): Promise<unknown>;
}

async function openSqlite(path: string): Promise<Measured> {
  const dataSource = await openDataSource(path);
  const store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  return {
    dataSource,
    stats: new StepStats(new DrillSummaryRepository(dataSource), new DrillEventRepository(dataSource), systemClock),
    append: async (drillId, sequence, events) =>
      store.appendNow(drillId, sequence, events, { occurredAt: new Date(), actor: 'bench', streamKind: DRILL_STREAM_KIND }),
  };
}

async function openPostgres(url: string): Promise<Measured> {
  const dataSource = await openDataSource({ databasePath: '', databaseUrl: url });
  const store = new PostgresEventStore(dataSource, [new PostgresDrillSummaryProjection(dataSource)]);
  return {
    dataSource,
    stats: new StepStats(new PostgresDrillSummaryRepository(dataSource), new PostgresDrillEventRepository(dataSource), systemClock),
    append: (drillId, sequence, events) =>
      store.append(drillId, sequence, events, { occurredAt: new Date(), actor: 'bench', streamKind: DRILL_STREAM_KIND }),
  };
}

/** The seeded SQLite log's streams and rows, exactly as stored, into PostgreSQL; then its projections. */
async function copyIntoPostgres(path: string, url: string): Promise<void> {
  const sqlite = await openDataSource(path);
  const target = await openDataSource({ databasePath: '', databaseUrl: url });
  const from = new DrillEventRepository(sqlite);
  const into = new PostgresDrillEventRepository(target);
  const streams = await from.streams();
  await inTransaction(target, async (transaction) => {
    for (const stream of streams) {
      await into.insertStream(transaction, stream);
    }
  });
  let rows: DrillEventRow[] = [];
  const flush = () =>
    inTransaction(target, async (transaction) => {
      for (let start = 0; start < rows.length; start += COPY_BATCH) {
        await into.insert(transaction, rows.slice(start, start + COPY_BATCH));
      }
    });
  for await (const row of from.inAppendOrder()) {
    rows.push(row);
    if (rows.length === COPY_TRANSACTION) {
      await flush();
      rows = [];
    }
  }
  await flush();
  await new PostgresEventStore(target, [new PostgresDrillSummaryProjection(target)]).rebuildProjections();
  await target.query('ANALYZE');
  await Promise.all([sqlite.destroy(), target.destroy()]);
}

async function measureStore(
  kind: Store,
  databaseEnv: Record<string, string>,
  ids: readonly string[],
  open: () => Promise<Measured>,
): Promise<Figures> {
  const load = new Map<string, { p50: number; p99: number; rate: number; errors: number }>();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // A queue Redis of the benchmark's own, from the host's binary, as the lab image is built.
  const redisPort = await freePort();
  const redis = spawn(
    'bash',
    [
      '-c',
      `exec -a redis-server "$(command -v redis-server || command -v redis-check-rdb)" --port ${redisPort} --bind 127.0.0.1 --save '' --appendonly no`,
    ],
    { stdio: 'ignore' },
  );
  // The benchmark's own viewer token: every request pays for authentication, as in production.
  const secret = randomBytes(24).toString('base64url');
  const serviceLogFile = join(directory, `${kind}-service.log`);
  const serviceLog = openSync(serviceLogFile, 'w');
  const authorization = `Bearer ${secret}`;
  const service = spawn(process.execPath, ['dist/main.js'], {
    env: childEnv({
      PORT: String(port),
      ...databaseEnv,
      WORKER_ENABLED: 'false',
      // autocannon cuts the requests in flight at the end of each row; the limiter counts a cut
      // request as a refused token (only a finished answer uncounts it), and would answer 429.
      AUTH_FAILURE_LIMIT: '0',
      API_TOKENS: `bench:viewer:${secret}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    }),
    stdio: ['ignore', serviceLog, serviceLog],
  });
  try {
    await waitFor(
      async () =>
        (await fetch(`${base}/api/stats/steps`, { headers: { authorization } })).ok ? satisfied(undefined) : pending('not ready'),
      {
        description: 'the service to answer',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
    const endpoints: [string, () => string][] = [
      ['GET /api/drills?limit=50', () => '/api/drills?limit=50'],
      ['GET /api/drills?status=failed&target=lab&limit=50', () => '/api/drills?status=failed&target=lab&limit=50'],
      ['GET /api/drills/{id}', () => `/api/drills/${pick()}`],
      ['GET /api/drills/{id}/events?limit=100', () => `/api/drills/${pick()}/events?limit=100`],
      ['GET /api/drills/{id}/timeline', () => `/api/drills/${pick()}/timeline`],
      ['GET /api/stats/steps', () => '/api/stats/steps'],
      ['GET /api/metrics', () => '/api/metrics'],
    ];
    console.log(`loading the service on ${kind}`);
    for (const [name, path] of endpoints) {
      for (const concurrent of [1, connections]) {
        const result = await autocannon({
          url: base,
          connections: concurrent,
          duration: seconds,
          headers: { authorization },
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: path() }) }],
        });
        load.set(`${name}|${concurrent}`, {
          p50: result.latency.p50,
          p99: result.latency.p99,
          rate: Math.round(result.requests.average),
          errors: result.errors + result.non2xx,
        });
      }
    }
  } finally {
    service.kill('SIGTERM');
    redis.kill('SIGKILL');
    closeSync(serviceLog);
  }
  if ([...load.values()].some((figures) => figures.errors > 0)) {
    const errors = readFileSync(serviceLogFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"level":"error"') || line.includes('"level":"warn"'));
    console.log(`the service on ${kind} answered errors; its first error lines:\n${errors.slice(0, 3).join('\n')}`);
  }

  const measured = await open();
  const uncached: number[] = [];
  for (let run = 0; run < 20; run++) {
    const before = performance.now();
    await measured.stats.compute({});
    uncached.push(performance.now() - before);
  }
  const appends = new Map<string, { rate: number; p50: number; p99: number; max: number }>();
  const measure = async (name: string, batches: { drillId: string; sequence: number; events: DrillEvent[] }[]) => {
    const latencies: number[] = [];
    let events = 0;
    const started = performance.now();
    for (const append of batches) {
      const before = performance.now();
      await measured.append(append.drillId, append.sequence, append.events);
      latencies.push(performance.now() - before);
      events += append.events.length;
    }
    appends.set(name, {
      rate: Math.round(events / ((performance.now() - started) / 1000)),
      p50: percentile(latencies, 0.5)!,
      p99: percentile(latencies, 0.99)!,
      max: Math.max(...latencies),
    });
  };
  // As a running drill appends: one event at a time, 50 drills of 40 events each.
  const singles = Array.from({ length: 50 }, () => ({ drillId: randomUUID(), events: syntheticDrill(1, 40) }));
  await measure(
    APPEND_SINGLE,
    Array.from({ length: 40 }, (_, sequence) =>
      singles.map(({ drillId, events }) => ({ drillId, sequence, events: [events[sequence]!] })),
    ).flat(),
  );
  await measure(
    APPEND_DRILL,
    Array.from({ length: 300 }, (_, index) => ({ drillId: randomUUID(), sequence: 0, events: syntheticDrill(index, 40) })),
  );
  await measured.dataSource.destroy();
  return { load, appends, uncachedStats: { median: percentile(uncached, 0.5)!, max: Math.max(...uncached) } };
}

/** The figures as Markdown tables, one column pair per store. */
function report(figures: Map<Store, Figures>): void {
  const measuredStores = [...figures.keys()];
  const columns = (label: string) => measuredStores.map((kind) => `${NAMES[kind]} ${label}`);
  console.log(
    `\n| endpoint (${seconds} s each) | connections | ${[...columns('p50'), ...columns('p99'), ...columns('requests/s'), ...columns('errors')].join(' | ')} |`,
  );
  console.log(`|---|---|${measuredStores.map(() => '---|---|---|---|').join('')}`);
  for (const key of figures.get(measuredStores[0]!)!.load.keys()) {
    const [name, concurrent] = key.split('|');
    const cell = (pick: (load: { p50: number; p99: number; rate: number; errors: number }) => string) =>
      measuredStores.map((kind) => pick(figures.get(kind)!.load.get(key)!));
    console.log(
      `| ${name} | ${concurrent} | ${[...cell((load) => `${load.p50} ms`), ...cell((load) => `${load.p99} ms`), ...cell((load) => String(load.rate)), ...cell((load) => String(load.errors))].join(' | ')} |`,
    );
  }
  for (const kind of measuredStores) {
    const { median, max } = figures.get(kind)!.uncachedStats;
    console.log(
      `\nGET /api/stats/steps computed without its cache on ${NAMES[kind]} (every drill in the window): median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
  }
  console.log(`\n| append to the seeded log (projection updated in the same transaction) | store | events/s | p50 | p99 | max |`);
  console.log('|---|---|---|---|---|---|');
  const format = (ms: number) => `${ms.toFixed(2)} ms`;
  for (const name of [APPEND_SINGLE, APPEND_DRILL]) {
    for (const kind of measuredStores) {
      const append = figures.get(kind)!.appends.get(name)!;
      console.log(`| ${name} | ${NAMES[kind]} | ${append.rate} | ${format(append.p50)} | ${format(append.p99)} | ${format(append.max)} |`);
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
