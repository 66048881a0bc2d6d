/**
 * Seeds an audit log with 10,000 drills and 1,000,000 events, serves it with the built service,
 * and loads each read endpoint with autocannon; then measures appends to the log.
 *
 *   npm run bench:api -- [--drills 10000] [--events-per-drill 100] [--seconds 5] [--connections 10]
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { openDataSource } from '../src/database/data-source.js';
import { DRILL_STREAM_KIND, type DrillEvent } from '../src/drills/drill-events.js';
import { DrillSummaryRepository } from '../src/drills/drill-summary.repository.js';
import { DrillSummaryProjection } from '../src/drills/drill-summary.projection.js';
import { DrillEventRepository } from '../src/events/drill-event.repository.js';
import { SqliteEventStore } from '../src/events/sqlite-event-store.js';
import { StepStats } from '../src/stats/step-stats.service.js';
import { systemClock } from '../src/common/clock.js';
import { seedHistory, syntheticDrill } from './seed-history.js';
import { percentile } from './stats.js';

const { values } = parseArgs({
  options: {
    drills: { type: 'string', default: '10000' },
    'events-per-drill': { type: 'string', default: '100' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
  },
});
const drills = Number(values.drills);
const eventsPerDrill = Number(values['events-per-drill']);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const directory = mkdtempSync(join(tmpdir(), 'redis-drill-bench-api-'));
const databasePath = join(directory, 'drills.sqlite');
try {
  const seeding = performance.now();
  const dataSource = await openDataSource(databasePath);
  const store = new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  const { ids, events } = seedHistory(store, drills, eventsPerDrill);
  await store.rebuildStaleProjections();
  await dataSource.destroy();
  console.log(`seeded ${drills} drills, ${events} events in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

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
  const authorization = `Bearer ${secret}`;
  const service = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_PATH: databasePath,
      WORKER_ENABLED: 'false',
      API_TOKENS: `bench:viewer:${secret}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    },
    stdio: 'ignore',
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
    console.log(`\n| endpoint (${seconds} s each) | connections | p50 | p99 | requests/s | errors |`);
    console.log('|---|---|---|---|---|---|');
    for (const [name, path] of endpoints) {
      for (const concurrent of [1, connections]) {
        const result = await autocannon({
          url: base,
          connections: concurrent,
          duration: seconds,
          headers: { authorization },
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: path() }) }],
        });
        const errors = result.errors + result.non2xx;
        console.log(
          `| ${name} | ${concurrent} | ${result.latency.p50} ms | ${result.latency.p99} ms | ${Math.round(result.requests.average)} | ${errors} |`,
        );
      }
    }
  } finally {
    service.kill('SIGTERM');
    redis.kill('SIGKILL');
  }

  const appendTarget = await openDataSource(databasePath);
  const appendStore = new SqliteEventStore(appendTarget, [new DrillSummaryProjection(appendTarget)]);
  const stats = new StepStats(new DrillSummaryRepository(appendTarget), new DrillEventRepository(appendTarget), systemClock);
  const uncached: number[] = [];
  for (let run = 0; run < 20; run++) {
    const before = performance.now();
    await stats.compute({});
    uncached.push(performance.now() - before);
  }
  console.log(
    `\nGET /api/stats/steps computed without its cache (every drill in the window): median ${percentile(uncached, 0.5)!.toFixed(1)} ms, max ${Math.max(...uncached).toFixed(1)} ms`,
  );
  console.log(`\n| append to the seeded log (projection updated in the same transaction) | events/s | p50 | p99 | max |`);
  console.log('|---|---|---|---|---|');
  const measure = (name: string, appends: { drillId: string; sequence: number; events: DrillEvent[] }[]) => {
    const latencies: number[] = [];
    let events = 0;
    const started = performance.now();
    for (const append of appends) {
      const before = performance.now();
      appendStore.appendNow(append.drillId, append.sequence, append.events, {
        occurredAt: new Date(),
        actor: 'bench',
        streamKind: DRILL_STREAM_KIND,
      });
      latencies.push(performance.now() - before);
      events += append.events.length;
    }
    const rate = Math.round(events / ((performance.now() - started) / 1000));
    const format = (ms: number | undefined) => `${ms?.toFixed(2)} ms`;
    console.log(
      `| ${name} | ${rate} | ${format(percentile(latencies, 0.5))} | ${format(percentile(latencies, 0.99))} | ${format(Math.max(...latencies))} |`,
    );
  };
  // As a running drill appends: one event at a time, 50 drills of 40 events each.
  const singles = Array.from({ length: 50 }, () => ({ drillId: randomUUID(), events: syntheticDrill(1, 40) }));
  measure(
    'one event per append (as a drill step records)',
    Array.from({ length: 40 }, (_, sequence) =>
      singles.map(({ drillId, events }) => ({ drillId, sequence, events: [events[sequence]!] })),
    ).flat(),
  );
  measure(
    'one drill of 40 events per append',
    Array.from({ length: 300 }, (_, index) => ({ drillId: randomUUID(), sequence: 0, events: syntheticDrill(index, 40) })),
  );
  await appendTarget.destroy();
} finally {
  rmSync(directory, { recursive: true, force: true });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
