/**
 * Runs the group-failover drill N times on a lab of its own and prints, per run and as medians
 * and p95: kill → cluster_state:ok on B, kill → B fully redundant, and the whole drill.
 *
 *   npm run bench:drill -- [--runs 5] [--keep]
 */
import { parseArgs } from 'node:util';
import { drillRunnerFor } from '../test/support/drill-runner.js';
import { startTestLab } from '../test/support/test-lab.js';
import { formatMs, median, percentile } from './stats.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);
}

const lab = await startTestLab(
  { name: process.env.BENCH_LAB_NAME ?? 'redis-drill-bench', basePort: Number(process.env.BENCH_LAB_BASE_PORT ?? 8000) },
  { form: true },
);
const drills = await drillRunnerFor(lab);
const rows: { run: number; killToOk: number; killToRedundant: number; drill: number; status: string }[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    if (run > 1) {
      await lab.lab.reset();
    }
    const state = await drills.runDrill();
    if (state.status !== 'succeeded') {
      throw new Error(`run ${run}: drill ${state.id} ${state.status}: ${state.error}`);
    }
    const row = {
      run,
      killToOk: state.timings.killToServingMs!,
      killToRedundant: state.timings.killToRedundantMs!,
      drill: state.timings.totalMs!,
      status: state.status,
    };
    rows.push(row);
    console.log(
      `run ${run}: kill→ok ${formatMs(row.killToOk)}, kill→redundant ${formatMs(row.killToRedundant)}, drill ${formatMs(row.drill)}`,
    );
  }
} finally {
  await drills.close();
  if (values.keep) {
    await lab.connections.closeAll();
  } else {
    await lab.close();
  }
}

const column = (pick: (row: (typeof rows)[number]) => number) => rows.map(pick);
console.log(`\n${runs} group-failover drills on ${process.env.BENCH_MACHINE ?? 'this machine'}:`);
console.log('| measure | median | p95 | min | max |');
console.log('|---|---|---|---|---|');
for (const [name, sample] of [
  ['kill → cluster_state:ok on B (all slots served by B)', column((row) => row.killToOk)],
  ['kill → B fully redundant (3 masters, 3 synced replicas)', column((row) => row.killToRedundant)],
  ['whole drill (prepare … verify)', column((row) => row.drill)],
] as const) {
  console.log(
    `| ${name} | ${formatMs(median(sample))} | ${formatMs(percentile(sample, 0.95))} | ${formatMs(Math.min(...sample))} | ${formatMs(Math.max(...sample))} |`,
  );
}
