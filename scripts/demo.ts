/**
 * `make demo`: resets the lab to the seed's starting layout, starts the service, triggers one
 * group-failover drill over HTTP, follows it, and prints the step timings. Exits 0 only if the
 * drill succeeded. The lab stays up afterwards (`npm run lab -- status`, `npm run lab -- down`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { ClusterAdmin } from '../src/cluster/cluster-admin.js';
import { RedisConnections } from '../src/cluster/redis-connections.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import type { DrillDto } from '../src/drills/drill.dto.js';
import { Lab } from '../src/lab/lab.js';

const config = loadConfig();
const base = `http://${config.host}:${config.port}/api`;
// A token of the demo's own, made fresh for this run: the service has no default one.
const demoSecret = randomBytes(24).toString('base64url');
const authorization = `Bearer ${demoSecret}`;

async function main(): Promise<number> {
  const connections = new RedisConnections();
  const lab = new Lab(
    connectDocker(),
    config.lab,
    { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs },
    new ClusterAdmin(connections),
    (line) => console.log(`lab: ${line}`),
  );
  console.log(`lab: resetting ${config.lab.name} to the starting layout (A serving, B1–B3 attached)`);
  await lab.up({ form: false });
  await lab.reset();
  await connections.closeAll();

  mkdirSync('data', { recursive: true });
  const log = openSync('data/service.log', 'a');
  const service = spawn(process.execPath, ['dist/main.js'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, API_TOKENS: `demo:operator:${demoSecret}` },
  });
  const exited = new Promise<number | null>((resolve) => service.once('exit', resolve));
  try {
    await waitFor(
      async () => {
        const response = await fetch(`${base}/health`);
        return response.ok ? satisfied(undefined) : pending(`health answered ${response.status}: ${await response.text()}`);
      },
      { description: `the service to answer at ${base}/health (log: data/service.log)`, timeoutMs: 30_000, intervalMs: 200 },
    );
    console.log(`service: up at ${base} (Swagger UI at ${base}/docs)`);
    console.log(`service: this run's operator token is ${demoSecret} (send "Authorization: Bearer <token>")`);

    const accepted = await fetch(`${base}/drills`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ scenario: 'group-failover' }),
    });
    if (accepted.status !== 202) {
      throw new Error(`POST /api/drills answered ${accepted.status}: ${await accepted.text()}`);
    }
    const { id } = (await accepted.json()) as { id: string };
    console.log(`drill: ${id} queued; following it`);

    console.log(`\n  ${'step'.padEnd(10)} ${'status'.padEnd(9)} ${'duration'.padStart(12)}`);
    let shown = 0;
    const drill = await waitFor(
      async () => {
        const current = (await (await fetch(`${base}/drills/${id}`, { headers: { authorization } })).json()) as DrillDto;
        const finished = current.steps.filter((step) => step.status === 'succeeded' || step.status === 'failed');
        for (const step of finished.slice(shown)) {
          console.log(`  ${step.name.padEnd(10)} ${step.status.padEnd(9)} ${`${step.durationMs?.toFixed(1)} ms`.padStart(12)}`);
        }
        shown = finished.length;
        return ['succeeded', 'failed', 'aborted'].includes(current.status) ? satisfied(current) : pending(`drill is ${current.status}`);
      },
      { description: `drill ${id} to finish`, timeoutMs: 180_000, intervalMs: 100 },
    );
    printSummary(drill);
    return drill.status === 'succeeded' ? 0 : 1;
  } finally {
    service.kill('SIGTERM');
    await exited;
  }
}

function printSummary(drill: DrillDto): void {
  const { killToServingMs, killToRedundantMs, totalMs } = drill.timings;
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} ms`);
  console.log(`\ndrill ${drill.id}: ${drill.status}${drill.error ? `: ${drill.error}` : ''}`);
  console.log(`  kill → cluster_state:ok on B  ${ms(killToServingMs)}`);
  console.log(`  kill → B fully redundant      ${ms(killToRedundantMs)}`);
  console.log(`  whole drill                   ${ms(totalMs)}`);
  console.log(`\nThe lab stays up: npm run lab -- status | npm run lab -- down`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
