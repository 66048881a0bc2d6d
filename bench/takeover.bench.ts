/**
 * How soon another worker takes over the job of a worker killed with SIGKILL, with the job lock
 * and the stalled-job check the service derives from `WORKER_LEASE_MS` (`takeoverTiming`). Each
 * run: a worker in a child process takes a job that never ends, is killed at a random moment of
 * its lock's renewal cycle, and the time until the benchmark's own worker gets the job is taken.
 * The queue's Redis runs in a container on a Docker network of the benchmark's own, removed at
 * the end. This is the queue's share of a takeover; resuming the drill from its events comes on
 * top (`test/high-availability.test.ts` prints the whole of it).
 *
 *   npm run bench:takeover -- [--lease 2000] [--runs 10]
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Queue, Worker, type WorkerOptions } from 'bullmq';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import { takeoverTiming } from '../src/queue/takeover-timing.js';
import { ScratchNetwork } from '../scripts/scratch-network.js';
import { Teardown } from '../scripts/teardown.js';
import { formatMs, median, percentile } from './stats.js';

const QUEUE = 'takeover-bench';
const teardown = new Teardown((line) => console.log(line));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lease: { type: 'string', default: '2000' }, runs: { type: 'string', default: '10' } } });
  const leaseMs = Number(values.lease);
  const runs = Number(values.runs);
  if (!Number.isInteger(leaseMs) || leaseMs < 1_000 || !Number.isInteger(runs) || runs < 1) {
    throw new Error('--lease must be an integer of at least 1000 (ms), --runs a positive integer');
  }
  const timing = takeoverTiming(leaseMs);
  // Three leases: a takeover that has not come by then is not coming.
  const runTimeoutMs = 3 * leaseMs;
  teardown.onSignals();
  const config = loadConfig();
  const docker = connectDocker();
  const { image } = await ensureRedisImage(docker, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs });
  const network = new ScratchNetwork(docker, process.env.BENCH_NETWORK ?? 'redis-drill-takeover-bench', image);
  teardown.add(`the Docker network ${network.name} and its Redis`, () => network.remove());
  await network.create();
  const url = new URL(await network.startQueue());
  const connection = { host: url.hostname, port: Number(url.port) };
  const queue = new Queue(QUEUE, { connection });
  teardown.add('the queue', () => queue.close());
  const options = {
    connection,
    lockDuration: timing.jobLockMs,
    lockRenewTime: timing.jobLockRenewMs,
    stalledInterval: timing.stalledCheckMs,
  };
  console.log(
    `WORKER_LEASE_MS=${leaseMs}: job lock ${timing.jobLockMs} ms, renewed every ${timing.jobLockRenewMs} ms, ` +
      `stalled check every ${timing.stalledCheckMs} ms; ${runs} runs`,
  );

  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    await queue.add('hold', {}, { jobId: `run-${run}` });
    const doomed = fork(new URL(import.meta.url), ['--hold', JSON.stringify({ queue: QUEUE, ...options })], { stdio: 'inherit' });
    teardown.add(`the worker of run ${run}`, async () => doomed.exitCode === null && doomed.signalCode === null && doomed.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      doomed.once('message', () => resolve());
      doomed.once('exit', (code) => reject(new Error(`the holding worker exited with ${code} before it took the job`)));
    });
    // The survivor runs its stalled checks from before the kill, as another instance's worker would.
    let taken: (at: number) => void = () => undefined;
    const takenAt = new Promise<number>((resolve) => (taken = resolve));
    const survivor = new Worker(QUEUE, async () => taken(performance.now()), options);
    // Anywhere in the lock's renewal cycle and the checks' cycle.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * timing.stalledCheckMs));
    const exited = new Promise((resolve) => doomed.once('exit', resolve));
    doomed.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`run ${run + 1}: no worker took the job within ${runTimeoutMs} ms`)), runTimeoutMs);
    });
    const at = await Promise.race([takenAt, late]).finally(() => clearTimeout(timer));
    await survivor.close();
    samples.push(at - killedAt);
    console.log(`run ${run + 1}: taken over ${formatMs(at - killedAt)} after the SIGKILL`);
  }
  const worst = Math.max(...samples);
  console.log(
    `\nkill → taken over: median ${formatMs(median(samples))}, p95 ${formatMs(percentile(samples, 0.95))}, max ${formatMs(worst)} ` +
      `(${((100 * worst) / leaseMs).toFixed(0)} % of WORKER_LEASE_MS)`,
  );
}

/** The child: takes one job and holds it, renewing its lock, until it is killed. */
function hold(settings: string): void {
  const { queue, ...options } = JSON.parse(settings) as { queue: string } & WorkerOptions;
  const worker = new Worker(queue, () => new Promise<never>(() => undefined), { ...options, concurrency: 1 });
  worker.once('active', () => process.send?.('active'));
}

const holding = process.argv.indexOf('--hold');
if (holding >= 0) {
  hold(process.argv[holding + 1]!);
} else {
  void main()
    .then(
      () => 0,
      (error: unknown) => {
        console.error(`bench:takeover: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      },
    )
    .then(async (code) => {
      await teardown.run();
      process.exit(code);
    });
}
