/**
 * Append throughput with 1, 3 and 10 writer processes at once, each appending to streams of its
 * own as running drills do (one event per append, 40 appends per stream), on SQLite and on
 * PostgreSQL (a server of its own, fsync on). Every append is durable once it returns.
 *
 *   npm run bench:appends -- [--store both|sqlite|postgres] [--writers 1,3,10] [--seconds 10]
 *
 * Each writer is its own process (this file with `--writer`), so that the figures include the
 * contention between connections that several service instances would see. After the runs the
 * log's hash chain is verified: every writer's events must make one unbroken chain.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDataSource, type DatabaseSettings } from '../src/database/data-source.js';
import { DRILL_STREAM_KIND } from '../src/drills/drill-events.js';
import { PostgresDrillSummaryProjection } from '../src/drills/drill-summary.postgres-projection.js';
import { DrillSummaryProjection } from '../src/drills/drill-summary.projection.js';
import { isPostgres } from '../src/database/data-source.js';
import { verifyAuditChain } from '../src/events/audit-verifier.js';
import { PostgresDrillEventRepository } from '../src/events/drill-event.postgres-repository.js';
import { DrillEventRepository } from '../src/events/drill-event.repository.js';
import type { EventStore } from '../src/events/event-store.js';
import { PostgresEventStore } from '../src/events/postgres-event-store.js';
import { SqliteEventStore } from '../src/events/sqlite-event-store.js';
import { childEnv } from '../test/support/child-env.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres.js';
import { syntheticDrill } from './seed-history.js';
import { percentile } from './stats.js';

const STORES = ['sqlite', 'postgres'] as const;
type Store = (typeof STORES)[number];
const NAMES: Record<Store, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const EVENTS_PER_STREAM = 40;

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    writers: { type: 'string', default: '1,3,10' },
    seconds: { type: 'string', default: '10' },
    /** Internal: run as one writer against this database (a file path or a postgres:// URL). */
    writer: { type: 'string' },
  },
});
const seconds = Number(values.seconds);

if (values.writer) {
  await write(values.writer);
} else {
  await main();
}

/** One writer: says `ready`, waits for `go` on stdin, appends for `seconds`, then prints its latencies as JSON. */
async function write(database: string): Promise<void> {
  const settings: DatabaseSettings = database.startsWith('postgres://')
    ? { databasePath: '', databaseUrl: database }
    : { databasePath: database };
  const dataSource = await openDataSource(settings);
  const store: EventStore = isPostgres(dataSource)
    ? new PostgresEventStore(dataSource, [new PostgresDrillSummaryProjection(dataSource)])
    : new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]);
  const events = syntheticDrill(1, EVENTS_PER_STREAM);
  console.log('ready');
  const input = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => input.once('line', () => resolve()));
  // An open stdin would keep the writer alive after its figures.
  input.close();
  process.stdin.destroy();
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const drillId = randomUUID();
    for (let sequence = 0; sequence < EVENTS_PER_STREAM && performance.now() < deadline; sequence++) {
      const before = performance.now();
      try {
        await store.append(drillId, sequence, [events[sequence]!], {
          occurredAt: new Date(),
          actor: 'bench',
          streamKind: DRILL_STREAM_KIND,
        });
        latencies.push(performance.now() - before);
      } catch {
        failures++;
        break;
      }
    }
  }
  await dataSource.destroy();
  console.log(JSON.stringify({ latencies, failures }));
}

async function main(): Promise<void> {
  if (values.store !== 'both' && !STORES.includes(values.store as Store)) {
    throw new Error(`--store must be both, sqlite or postgres, got ${JSON.stringify(values.store)}`);
  }
  const stores: readonly Store[] = values.store === 'both' ? STORES : [values.store as Store];
  const writerCounts = values.writers.split(',').map(Number);
  if (writerCounts.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new Error(`--writers must be a list of whole numbers of 1 or more, got ${JSON.stringify(values.writers)}`);
  }
  const directory = mkdtempSync(join(tmpdir(), 'redis-drill-bench-appends-'));
  let postgres: TestPostgres | undefined;
  const lines: string[] = [];
  const chains: string[] = [];
  try {
    for (const kind of stores) {
      let database = join(directory, 'drills.sqlite');
      if (kind === 'postgres') {
        postgres = await startTestPostgres('redis-drill-bench-appends', { durable: true });
        database = await postgres.url('drills');
      }
      const settings: DatabaseSettings = kind === 'postgres' ? { databasePath: '', databaseUrl: database } : { databasePath: database };
      // Migrated once here, not by ten writers at once.
      await (await openDataSource(settings)).destroy();
      for (const writers of writerCounts) {
        const results = await runWriters(database, writers);
        const latencies = results.flatMap((result) => result.latencies);
        const failures = results.reduce((sum, result) => sum + result.failures, 0);
        const format = (ms: number | undefined) => `${ms?.toFixed(2)} ms`;
        lines.push(
          `| ${NAMES[kind]} | ${writers} | ${Math.round(latencies.length / seconds)} | ${format(percentile(latencies, 0.5))} | ${format(percentile(latencies, 0.99))} | ${format(Math.max(...latencies))} | ${failures} |`,
        );
        console.log(lines.at(-1));
      }
      chains.push(`${NAMES[kind]}: ${await chainReport(settings)}`);
    }
  } finally {
    await postgres?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  console.log(`\n| store | writer processes | events/s (all writers, ${seconds} s) | p50 | p99 | max | failed appends |`);
  console.log('|---|---|---|---|---|---|---|');
  console.log(lines.join('\n'));
  console.log(`\nthe chain after every run: ${chains.join('; ')}`);
}

/** The verifier's verdict on the log that every writer appended to. */
async function chainReport(settings: DatabaseSettings): Promise<string> {
  const dataSource = await openDataSource(settings);
  try {
    const events = isPostgres(dataSource) ? new PostgresDrillEventRepository(dataSource) : new DrillEventRepository(dataSource);
    const report = await verifyAuditChain(events);
    if (!report.intact) {
      throw new Error(`the chain is broken: ${JSON.stringify(report.firstBrokenLink)}`);
    }
    return `intact, ${report.eventsChecked} events`;
  } finally {
    await dataSource.destroy();
  }
}

/** Starts `count` writers, lets them go together once all are ready, and collects what each measured. */
async function runWriters(database: string, count: number): Promise<{ latencies: number[]; failures: number }[]> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--writer', database, '--seconds', String(seconds)], {
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
  await Promise.all(
    outputs.map(async (lines, index) => {
      const value: unknown = (await lines.next()).value;
      if (value !== 'ready') {
        throw new Error(`writer ${index} did not start: ${String(value)}`);
      }
    }),
  );
  for (const child of children) {
    child.stdin.write('go\n');
  }
  return Promise.all(
    outputs.map(async (lines, index) => {
      const value: unknown = (await lines.next()).value;
      if (typeof value !== 'string') {
        throw new Error(`writer ${index} ended without its figures`);
      }
      return JSON.parse(value) as { latencies: number[]; failures: number };
    }),
  );
}
