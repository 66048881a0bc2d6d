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
 * With `--tls` a second lab of the same shape speaks TLS only (its own CA and certificates, the
 * plain port off, replication and the cluster bus over TLS); the cycles alternate between the two
 * labs, so that both see the same load, and the figures of both are printed side by side.
 *
 *   npm run bench:drill -- [--runs 20] [--manual-runs 3] [--planned] [--scenario failover-and-failback|group-failover] [--tls] [--keep]
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/common/clock.js';
import type { RecordedDrillEvent } from '../src/drills/drill-events.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { labTarget, type LabSettings } from '../src/lab/lab-topology.js';
import type { ProbeReport } from '../src/probe/probe-report.js';
import { PROCESS_SECRETS, resolveTargetSecurity } from '../src/targets/target-security.js';
import { drillRunnerFor } from '../test/support/drill-runner.js';
import { makeTestCertificates } from '../test/support/test-certificates.js';
import { startTestLab } from '../test/support/test-lab.js';
import { cycleFigures, type CycleFigures } from './cycle-figures.js';
import { failoverParts, type FailoverParts } from './failover-parts.js';
import { distributionTable, formatCount, MAX, MEDIAN, MIN, tail } from './report.js';
import { formatMs, median } from './stats.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'manual-runs': { type: 'string', default: '3' },
    planned: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'failover-and-failback' },
    tls: { type: 'boolean', default: false },
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

/** A lab and the drill runner on it; over TLS only when `tls`, 100 ports above the plain one. */
async function benchLab(tls: boolean) {
  if (!tls) {
    const lab = await startTestLab(settings, { form: true });
    return { lab, drills: await drillRunnerFor(lab), removeCertificates: () => undefined };
  }
  const certificates = makeTestCertificates();
  const secured: LabSettings = {
    name: `${settings.name}-tls`,
    basePort: settings.basePort + 100,
    security: { tlsDirectory: certificates.directory },
  };
  const target = {
    ...labTarget(secured, 'lab'),
    tls: { caFile: certificates.caFile, certFile: certificates.clientCertFile, keyFile: certificates.clientKeyFile },
  };
  const lab = await startTestLab(secured, { form: true, connection: resolveTargetSecurity(target, PROCESS_SECRETS) });
  return { lab, drills: await drillRunnerFor({ ...lab, target }), removeCertificates: () => certificates.remove() };
}

const labs = [{ kind: 'plain TCP', ...(await benchLab(false)) }, ...(values.tls ? [{ kind: 'TLS', ...(await benchLab(true)) }] : [])];
const rows = new Map<string, CycleFigures[]>(labs.map(({ kind }) => [kind, []]));
const partsOf = new Map<string, FailoverParts[]>(labs.map(({ kind }) => [kind, []]));
const manual: { killToOkMs: number; killToRedundantMs: number }[] = [];
try {
  for (let cycle = 1; cycle <= cycles; cycle++) {
    for (const { kind, drills } of labs) {
      const { row, parts } = await oneCycle(drills, cycle);
      rows.get(kind)!.push(row);
      if (parts) {
        partsOf.get(kind)!.push(parts);
      }
    }
  }
  const plain = labs[0]!;
  for (let attempt = 1; attempt <= manualRuns; attempt++) {
    await plain.lab.lab.reset();
    const { stdout } = await run('bash', ['bench/manual-procedure.sh', settings.name, String(settings.basePort)], { timeout: 300_000 });
    const timings = JSON.parse(stdout.trim().split('\n').at(-1)!) as { killToOkMs: number; killToRedundantMs: number };
    manual.push(timings);
    console.log(`manual ${attempt}: kill→ok ${formatMs(timings.killToOkMs)}, kill→redundant ${formatMs(timings.killToRedundantMs)}`);
  }
} finally {
  for (const { lab, drills, removeCertificates } of labs) {
    await drills.close();
    if (values.keep) {
      await lab.connections.closeAll();
    } else {
      await lab.close();
      removeCertificates();
    }
  }
}

async function oneCycle(
  drills: (typeof labs)[number]['drills'],
  cycle: number,
): Promise<{ row: CycleFigures; parts: FailoverParts | undefined }> {
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
  console.log(
    `cycle ${cycle}${labs.length > 1 ? ` (${labs.find((lab) => lab.drills === drills)!.kind})` : ''}: kill→ok ${formatMs(row.killToOk)}, ` +
      `client RTO ${formatMs(row.clientRto)}, lost acked writes ${row.lostAcked} of ${probe.acked}, ` +
      `kill→redundant ${formatMs(row.killToRedundant)}, ${Number.isNaN(row.failback) ? '' : `failback ${formatMs(row.failback)}, `}whole ${formatMs(row.whole)}`,
  );
  return { row, parts: failoverParts(await drills.store.read<RecordedDrillEvent>(id), state) };
}

function report(state: DrillState): ProbeReport {
  if (state.probe?.state !== 'reported') {
    throw new Error(`drill ${state.id} has no probe report`);
  }
  return state.probe.report;
}

for (const [kind, sample] of rows) {
  const over = labs.length > 1 ? `, ${kind}` : '';
  console.log(`\n${cycles} consecutive ${values.planned ? 'planned ' : ''}${scenario} drills on one lab${over}, no repair in between:`);
  console.log(
    distributionTable(
      'measure',
      [MEDIAN, tail(0.95), MIN, MAX],
      [
        { name: 'kill → cluster_state:ok on B', sample: sample.map((row) => row.killToOk) },
        { name: 'client-side RTO (longest stretch without a successful probe write)', sample: sample.map((row) => row.clientRto) },
        { name: 'lost acknowledged writes', sample: sample.map((row) => row.lostAcked), format: formatCount },
        { name: 'kill → B fully redundant', sample: sample.map((row) => row.killToRedundant) },
        ...(scenario === 'failover-and-failback'
          ? [{ name: 'failback (B back to standby, A serving, spares reset)', sample: sample.map((row) => row.failback) }]
          : []),
        { name: scenario === 'group-failover' ? 'whole drill' : 'whole cycle', sample: sample.map((row) => row.whole) },
      ],
    ),
  );
  const parts = partsOf.get(kind)!;
  console.log(`\nWhere kill → cluster_state:ok went${over} (${parts.length} drills):`);
  console.log(
    distributionTable(
      'part',
      [MEDIAN, tail(0.95), MIN, MAX],
      [
        { name: "signals → every kill answered, the kill's events sent to the log", sample: parts.map((part) => part.killsAnswered) },
        { name: 'the durable write → the takeover step starts', sample: parts.map((part) => part.recorded) },
        { name: 'the slowest TAKEOVER with its ROLE', sample: parts.map((part) => part.commands) },
        { name: 'the rest of the takeover (look, epoch check, serving wait)', sample: parts.map((part) => part.restOfTakeover) },
      ],
    ),
  );
}
if (values.tls) {
  const [plain, tls] = [rows.get('plain TCP')!, rows.get('TLS')!];
  const medians = (pick: (row: CycleFigures) => number) => [median(plain.map(pick))!, median(tls.map(pick))!] as const;
  console.log(`\nTLS beside plain TCP, medians of ${cycles} alternating cycles each:`);
  console.log('| measure | plain TCP | TLS | TLS − plain |');
  console.log('|---|---|---|---|');
  for (const [name, pick] of [
    ['kill → cluster_state:ok', (row: CycleFigures) => row.killToOk],
    ['kill → fully redundant', (row: CycleFigures) => row.killToRedundant],
    ['client-side RTO', (row: CycleFigures) => row.clientRto],
    ...(scenario === 'failover-and-failback' ? ([['failback', (row: CycleFigures) => row.failback]] as const) : []),
    ['whole drill', (row: CycleFigures) => row.whole],
  ] as const) {
    const [overPlain, overTls] = medians(pick);
    console.log(`| ${name} | ${formatMs(overPlain)} | ${formatMs(overTls)} | ${(overTls - overPlain).toFixed(0)} ms |`);
  }
}
if (manual.length > 0) {
  const plainRows = rows.get('plain TCP')!;
  const ok = median(manual.map((timings) => timings.killToOkMs))!;
  const redundant = median(manual.map((timings) => timings.killToRedundantMs))!;
  const serviceOk = median(plainRows.map((row) => row.killToOk))!;
  const serviceRedundant = median(plainRows.map((row) => row.killToRedundant))!;
  console.log(`\nThe seed README's procedure by hand (bench/manual-procedure.sh), ${manual.length} runs, medians:`);
  console.log('| measure | by hand | service | service / by hand |');
  console.log('|---|---|---|---|');
  console.log(`| kill → cluster_state:ok | ${formatMs(ok)} | ${formatMs(serviceOk)} | ${(serviceOk / ok).toFixed(3)} |`);
  console.log(
    `| kill → B fully redundant | ${formatMs(redundant)} | ${formatMs(serviceRedundant)} | ${(serviceRedundant / redundant).toFixed(3)} |`,
  );
}

// Everything the bench opened is closed above. Should something still hold the event loop once
// the report is out (a client a drill left open), name it and end instead of hanging; the timer
// itself holds nothing.
setTimeout(() => {
  console.error(`still open after the report: ${process.getActiveResourcesInfo().join(', ')}; exiting`);
  process.exit();
}, 5_000).unref();
