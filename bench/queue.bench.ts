/**
 * What the queue costs a drill, on each backend in one run: the built service (`node dist/main.js`)
 * on one lab, first with its queue on the lab's Redis, then on a PostgreSQL of the benchmark's own
 * (Debian's binaries, as the tests start it). N group-failover drills (5 unless told otherwise)
 * requested over HTTP on each, and from their events, as medians and p95:
 *   - request → `prepare` started: the API's append, the job's trip through the queue, the lease;
 *   - step boundary → next step started: one step's last event to the next step's first;
 *   - kill → cluster_state:ok, to show the queue adds nothing to it.
 *
 *   npm run build && npm run bench:queue -- [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drillEnded } from '../test/support/drill-outcome.js';
import { startTestPostgres } from '../test/support/postgres.js';
import { fetchAs, post, startService } from '../test/support/service.js';
import { startTestLab } from '../test/support/test-lab.js';
import { formatMs, median, percentile } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error('--runs must be a positive integer');
}

interface EventRow {
  type: string;
  occurredAt: string;
  data: { step?: string };
}

interface Sample {
  requestToPrepare: number;
  boundaries: number[];
  killToOk: number;
}

const settings = { name: process.env.BENCH_LAB_NAME ?? 'redis-drill-bench', basePort: Number(process.env.BENCH_LAB_BASE_PORT ?? 8000) };
const [lab, postgres] = await Promise.all([startTestLab(settings, { form: true }), startTestPostgres('redis-drill-bench')]);
const directory = mkdtempSync(join(tmpdir(), 'redis-drill-queue-bench-'));
const results = new Map<string, Sample[]>();
try {
  const backends: [string, Record<string, string>][] = [
    ['redis', {}],
    ['postgres', { QUEUE_BACKEND: 'postgres', QUEUE_DATABASE_URL: await postgres.url('queue') }],
  ];
  for (const [backend, env] of backends) {
    const service = await startService({
      ...env,
      DATABASE_PATH: join(directory, `${backend}.sqlite`),
      LAB_NAME: settings.name,
      LAB_BASE_PORT: String(settings.basePort),
      LOG_LEVEL: 'warn',
    });
    const samples: Sample[] = [];
    try {
      for (let attempt = 1; attempt <= runs; attempt++) {
        const answer = await post(service.base, '/drills', { scenario: 'group-failover' });
        if (answer.status !== 202) {
          throw new Error(`${backend}: the drill was refused: ${answer.status} ${await answer.text()}`);
        }
        const { id } = (await answer.json()) as { id: string };
        const drill = await drillEnded(service.base, id, 'succeeded', 120_000);
        const page = (await (await fetchAs(`${service.base}/drills/${id}/events?limit=1000`)).json()) as { items: EventRow[] };
        samples.push({ ...overheads(page.items), killToOk: drill.timings.killToServingMs! });
        const last = samples.at(-1)!;
        console.log(
          `${backend} ${attempt}: request → prepare ${formatMs(last.requestToPrepare)}, ` +
            `step boundaries median ${formatMs(median(last.boundaries))}, kill → ok ${formatMs(last.killToOk)}`,
        );
      }
    } finally {
      await service.stop();
    }
    results.set(backend, samples);
  }
} finally {
  await lab.close();
  await postgres.stop();
  rmSync(directory, { recursive: true, force: true });
}

/** From the drill's events: request to `prepare`'s start, and each step's last event to the next step's start. */
function overheads(events: readonly EventRow[]): Omit<Sample, 'killToOk'> {
  const at = (event: EventRow) => Date.parse(event.occurredAt);
  const requested = events.find((event) => event.type === 'DrillRequested')!;
  const starts = events.filter((event) => event.type === 'StepStarted');
  const boundaries = starts.slice(1).map((start) => {
    const before = events.slice(0, events.indexOf(start)).at(-1)!;
    return at(start) - at(before);
  });
  return { requestToPrepare: at(starts[0]!) - at(requested), boundaries };
}

const cell = (sample: number[]) => `${formatMs(median(sample))} / ${formatMs(percentile(sample, 0.95))}`;
console.log(`\n${runs} group-failover drills over HTTP per backend, median / p95:`);
console.log('| backend | request → `prepare` started | step boundary → next step started | kill → cluster_state:ok |');
console.log('|---|---|---|---|');
for (const [backend, samples] of results) {
  console.log(
    `| ${backend} | ${cell(samples.map((s) => s.requestToPrepare))} | ${cell(samples.flatMap((s) => s.boundaries))} | ${cell(samples.map((s) => s.killToOk))} |`,
  );
}
