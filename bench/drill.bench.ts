/**
 * Runs N failover-and-failback cycles (20 unless told otherwise) back to back on one lab, with no repair in between, and
 * prints per cycle and as median / p95: kill → cluster_state:ok, client-side RTO, lost
 * acknowledged writes, kill → B fully redundant, failback time, whole cycle. Then runs the seed
 * README's procedure by hand (bench/manual-procedure.sh) on the same lab and prints how the
 * service compares.
 *
 * With `--scenario group-failover` it runs that instead, each drill failing over to the group the
 * previous one killed (brought back by `prepare`), so the probe sees the failover alone.
 *
 *   npm run bench:drill -- [--runs 20] [--manual-runs 3] [--planned] [--scenario failover-and-failback|group-failover] [--keep]
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/common/clock.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import type { ProbeReport } from '../src/probe/probe-report.js';
import { drillRunnerFor } from '../test/support/drill-runner.js';
import { startTestLab } from '../test/support/test-lab.js';
import { cycleFigures, type CycleFigures } from './cycle-figures.js';
import { distributionTable, formatCount, MAX, MEDIAN, MIN, tail } from './report.js';
import { formatMs, median } from './stats.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'manual-runs': { type: 'string', default: '3' },
    planned: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'failover-and-failback' },
    keep: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.runs);
const manualRuns = Number(values['manual-runs']);
const scenario = values.scenario as 'failover-and-failback' | 'group-failover';
if (scenario !== 'failover-and-failback' && scenario !== 'group-failover') {
  throw new Error('--scenario must be failover-and-failback or group-failover');
}
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(manualRuns) || manualRuns < 0) {
  throw new Error('--runs must be a positive integer and --manual-runs a non-negative one');
}

const settings = { name: process.env.BENCH_LAB_NAME ?? 'redis-drill-bench', basePort: Number(process.env.BENCH_LAB_BASE_PORT ?? 8000) };
const lab = await startTestLab(settings, { form: true });
const drills = await drillRunnerFor(lab);

const rows: CycleFigures[] = [];
const manual: { killToOkMs: number; killToRedundantMs: number }[] = [];
try {
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'bench', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual', options: { planned: values.planned } },
    });
    const { state } = await drills.runner.run(id);
    if (state.status !== 'succeeded') {
      throw new Error(`cycle ${cycle}: drill ${state.id} ${state.status}: ${state.error}`);
    }
    const probe = report(state);
    const row = cycleFigures(state.timings, probe);
    rows.push(row);
    console.log(
      `cycle ${cycle}: kill→ok ${formatMs(row.killToOk)}, client RTO ${formatMs(row.clientRto)}, lost acked writes ${row.lostAcked} of ${probe.acked}, ` +
        `kill→redundant ${formatMs(row.killToRedundant)}, ${Number.isNaN(row.failback) ? '' : `failback ${formatMs(row.failback)}, `}whole ${formatMs(row.whole)}`,
    );
  }
  for (let attempt = 1; attempt <= manualRuns; attempt++) {
    await lab.lab.reset();
    const { stdout } = await run('bash', ['bench/manual-procedure.sh', settings.name, String(settings.basePort)], { timeout: 300_000 });
    const timings = JSON.parse(stdout.trim().split('\n').at(-1)!) as { killToOkMs: number; killToRedundantMs: number };
    manual.push(timings);
    console.log(`manual ${attempt}: kill→ok ${formatMs(timings.killToOkMs)}, kill→redundant ${formatMs(timings.killToRedundantMs)}`);
  }
} finally {
  await drills.close();
  if (values.keep) {
    await lab.connections.closeAll();
  } else {
    await lab.close();
  }
}

function report(state: DrillState): ProbeReport {
  if (state.probe?.state !== 'reported') {
    throw new Error(`drill ${state.id} has no probe report`);
  }
  return state.probe.report;
}

console.log(`\n${cycles} consecutive ${values.planned ? 'planned ' : ''}${scenario} drills on one lab, no repair in between:`);
console.log(
  distributionTable(
    'measure',
    [MEDIAN, tail(0.95), MIN, MAX],
    [
      { name: 'kill → cluster_state:ok on B', sample: rows.map((row) => row.killToOk) },
      { name: 'client-side RTO (longest stretch without a successful probe write)', sample: rows.map((row) => row.clientRto) },
      { name: 'lost acknowledged writes', sample: rows.map((row) => row.lostAcked), format: formatCount },
      { name: 'kill → B fully redundant', sample: rows.map((row) => row.killToRedundant) },
      ...(scenario === 'failover-and-failback'
        ? [{ name: 'failback (B back to standby, A serving, spares reset)', sample: rows.map((row) => row.failback) }]
        : []),
      { name: scenario === 'group-failover' ? 'whole drill' : 'whole cycle', sample: rows.map((row) => row.whole) },
    ],
  ),
);
if (manual.length > 0) {
  const ok = median(manual.map((timings) => timings.killToOkMs))!;
  const redundant = median(manual.map((timings) => timings.killToRedundantMs))!;
  const serviceOk = median(rows.map((row) => row.killToOk))!;
  const serviceRedundant = median(rows.map((row) => row.killToRedundant))!;
  console.log(`\nThe seed README's procedure by hand (bench/manual-procedure.sh), ${manual.length} runs, medians:`);
  console.log('| measure | by hand | service | service / by hand |');
  console.log('|---|---|---|---|');
  console.log(`| kill → cluster_state:ok | ${formatMs(ok)} | ${formatMs(serviceOk)} | ${(serviceOk / ok).toFixed(3)} |`);
  console.log(
    `| kill → B fully redundant | ${formatMs(redundant)} | ${formatMs(serviceRedundant)} | ${(serviceRedundant / redundant).toFixed(3)} |`,
  );
}
