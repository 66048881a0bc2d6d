/**
 * Runs N failover-and-failback cycles (200 unless told otherwise) unattended through the built
 * service (`node dist/main.js`, its BullMQ queue on the lab's queue Redis, its SQLite log), with
 * the live probe on, on a lab of its own. Every `--every` cycles it prints the service's RSS, the
 * queue Redis's memory and key count, and the log's size; at the end the failures (each with its
 * drill's events, written to a file), the log's growth per drill, and the figures' medians and p99.
 * A failed cycle is followed by a lab reset so that the next one starts from a healthy target.
 *
 *   npm run build && npm run bench:soak -- [--cycles 200] [--every 20] [--planned]
 *
 * SOAK_LAB_NAME and SOAK_LAB_BASE_PORT name the lab (redis-drill-soak, 8700 by default).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { DrillDto } from '../src/drills/drill.dto.js';
import { parseInfo } from '../src/cluster/redis-info.parser.js';
import { drillFinished, fetchAs, post, startService } from '../test/support/service.js';
import { startTestLab } from '../test/support/test-lab.js';
import { cycleFigures, type CycleFigures } from './cycle-figures.js';
import { distributionTable, formatCount, MAX, MEDIAN, tail } from './report.js';
import { formatMs } from './stats.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '200' },
    every: { type: 'string', default: '20' },
    planned: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const every = Number(values.every);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(every) || every < 1) {
  throw new Error('--cycles and --every must be positive integers');
}

const settings = { name: process.env.SOAK_LAB_NAME ?? 'redis-drill-soak', basePort: Number(process.env.SOAK_LAB_BASE_PORT ?? 8700) };
const lab = await startTestLab(settings, { form: true });
const directory = mkdtempSync(join(tmpdir(), 'redis-drill-soak-'));
const databasePath = join(directory, 'drills.sqlite');
const service = await startService({ DATABASE_PATH: databasePath, LAB_NAME: settings.name, LAB_BASE_PORT: String(settings.basePort) });
const queue = new Redis({ host: '127.0.0.1', port: settings.basePort, lazyConnect: true, maxRetriesPerRequest: 1 });

interface Sample {
  cycle: number;
  rssBytes: number;
  queueUsedBytes: number;
  queueKeys: number;
  logBytes: number;
}
const rows: CycleFigures[] = [];
const samples: Sample[] = [];
/** Cycles whose takeover had to correct a node that did not take the new owner in (`StaleClaimCorrected`). */
const corrections: { cycle: number; id: string; count: number }[] = [];
const failures: { cycle: number; id: string; status: string; error?: string; eventsFile: string }[] = [];

/** The log's bytes on disk: the database file and its write-ahead log. */
const logBytes = () => [databasePath, `${databasePath}-wal`].reduce((total, path) => total + sizeOf(path), 0);
const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

async function sample(cycle: number): Promise<Sample> {
  const status = readFileSync(`/proc/${service.process.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  const memory = parseInfo(await queue.info('memory'));
  return {
    cycle,
    rssBytes: rssKb * 1024,
    queueUsedBytes: Number(memory.get('used_memory')),
    queueKeys: await queue.dbsize(),
    logBytes: logBytes(),
  };
}

async function events(id: string): Promise<string> {
  const lines: string[] = [];
  for (let after = 0; ;) {
    const page = (await (await fetchAs(`${service.base}/drills/${id}/events?after=${after}&limit=500`)).json()) as {
      items: { sequence: number; type: string; data: unknown; occurredAt?: string }[];
    };
    lines.push(...page.items.map((event) => `#${event.sequence} ${event.occurredAt ?? ''} ${event.type} ${JSON.stringify(event.data)}`));
    if (page.items.length < 500) {
      return lines.join('\n');
    }
    after = page.items.at(-1)!.sequence;
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const printSample = (row: Sample) =>
  console.log(
    `after ${row.cycle} cycles: service RSS ${mb(row.rssBytes)}, queue Redis used_memory ${mb(row.queueUsedBytes)} (${row.queueKeys} keys), log ${mb(row.logBytes)}`,
  );

const started = performance.now();
try {
  await queue.connect();
  const first = await sample(0);
  samples.push(first);
  printSample(first);
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const response = await post(service.base, '/drills', { scenario: 'failover-and-failback', options: { planned: values.planned } });
    if (response.status !== 202) {
      throw new Error(`cycle ${cycle}: POST /drills answered ${response.status}: ${await response.text()}`);
    }
    const { id } = (await response.json()) as { id: string };
    const drill: DrillDto = await drillFinished(service.base, id, 300_000);
    if (drill.status !== 'succeeded' || !drill.probe) {
      const eventsFile = join(tmpdir(), `redis-drill-soak-${id}.events.txt`);
      writeFileSync(eventsFile, await events(id));
      failures.push({ cycle, id, status: drill.status, ...(drill.error ? { error: drill.error } : {}), eventsFile });
      console.log(
        `cycle ${cycle}: drill ${id} ${drill.status}: ${drill.error ?? 'no probe report'}; events in ${eventsFile}; resetting the lab`,
      );
      await lab.lab.reset();
    } else {
      const row = cycleFigures(drill.timings, drill.probe);
      rows.push(row);
      const corrected = (await events(id)).split('\n').filter((line) => line.includes(' StaleClaimCorrected ')).length;
      if (corrected > 0) {
        corrections.push({ cycle, id, count: corrected });
        console.log(`cycle ${cycle}: drill ${id} corrected ${corrected} stale slot claim(s) after its takeover`);
      }
      console.log(
        `cycle ${cycle}: kill→ok ${formatMs(row.killToOk)}, client RTO ${formatMs(row.clientRto)}, lost acked ${row.lostAcked}, ` +
          `kill→redundant ${formatMs(row.killToRedundant)}, failback ${formatMs(row.failback)}, whole ${formatMs(row.whole)}`,
      );
    }
    if (cycle % every === 0 || cycle === cycles) {
      const row = await sample(cycle);
      samples.push(row);
      printSample(row);
    }
  }
} finally {
  queue.disconnect();
  const code = await service.stop();
  if (code !== 0) {
    console.log(`the service exited with ${code}:\n${service.output().slice(-4000)}`);
  }
  await lab.close();
  rmSync(directory, { recursive: true, force: true });
}

const minutes = (performance.now() - started) / 60_000;
console.log(
  `\n${cycles} ${values.planned ? 'planned ' : ''}failover-and-failback cycles through the service in ${minutes.toFixed(1)} min:`,
);
console.log(`failures: ${failures.length}`);
console.log(
  `takeovers that corrected a stale slot claim: ${corrections.length}${corrections.map((each) => `\n- cycle ${each.cycle}, drill ${each.id}: ${each.count}`).join('')}`,
);
for (const failure of failures) {
  console.log(`- cycle ${failure.cycle}, drill ${failure.id} ${failure.status}: ${failure.error ?? ''} (events: ${failure.eventsFile})`);
}
console.log('\n| after cycle | service RSS | queue Redis used_memory | queue keys | log on disk |');
console.log('|---|---|---|---|---|');
for (const row of samples) {
  console.log(`| ${row.cycle} | ${mb(row.rssBytes)} | ${mb(row.queueUsedBytes)} | ${row.queueKeys} | ${mb(row.logBytes)} |`);
}
const last = samples.at(-1)!;
console.log(`\nlog growth per drill: ${((last.logBytes - samples[0]!.logBytes) / cycles).toFixed(0)} bytes (database and WAL on disk)`);

console.log(
  `\n${distributionTable(
    `measure (${rows.length} succeeded cycles)`,
    [MEDIAN, tail(0.99), MAX],
    [
      { name: 'kill → cluster_state:ok', sample: rows.map((row) => row.killToOk) },
      { name: 'client-side RTO', sample: rows.map((row) => row.clientRto) },
      { name: 'lost acknowledged writes', sample: rows.map((row) => row.lostAcked), format: formatCount },
      { name: 'kill → fully redundant', sample: rows.map((row) => row.killToRedundant) },
      { name: 'failback', sample: rows.map((row) => row.failback) },
      { name: 'whole cycle', sample: rows.map((row) => row.whole) },
    ],
  )}`,
);
// A handle left open by a client library would keep an unattended run from ending.
process.exit(failures.length === 0 ? 0 : 1);
