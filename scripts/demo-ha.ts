/**
 * `make demo-ha`: several instances sharing one audit log. Starts a PostgreSQL of its own from
 * Debian's `postgresql` package, a Docker network of its own with the queue's Redis and two small
 * targets on it, and two service instances (each in a working directory of its own, sharing only
 * PostgreSQL and the queue's Redis); requests one drill on each target at once, one through each
 * instance, and follows each through the other. Prints which instance ran each drill, the figures
 * and the audit chain check, then removes everything it started (instances, PostgreSQL and its
 * data, containers, network), also when interrupted. Exits 0 only if both drills succeeded and
 * the audit chain verifies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClusterAdmin } from '../src/cluster/cluster-admin.js';
import { RedisConnections } from '../src/cluster/redis-connections.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import type { DrillDto } from '../src/drills/drill.dto.js';
import type { AuditReportDto } from '../src/events/audit.dto.js';
import type { TargetsFileEntry } from '../src/lab/lab-targets-entry.js';
import { startTestPostgres } from '../test/support/postgres.js';
import { ScratchNetwork } from './scratch-network.js';
import { Teardown } from './teardown.js';

const config = loadConfig();
const directory = resolve('data/demo-ha');
// A token of the demo's own, made fresh for this run: the service has no default one.
const demoSecret = randomBytes(24).toString('base64url');
const authorization = `Bearer ${demoSecret}`;
const TARGETS = ['east', 'west'] as const;
/** How long an instance may take to park its drills and exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 30_000;

interface Instance {
  readonly name: string;
  readonly base: string;
  readonly log: string;
  readonly process: ChildProcess;
}

const teardown = new Teardown((line) => console.log(line));

async function main(): Promise<number> {
  teardown.onSignals();
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });

  const docker = connectDocker();
  const { image, source } = await ensureRedisImage(docker, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs }, (line) =>
    console.log(`docker: ${line}`),
  );
  const network = new ScratchNetwork(docker, 'demo-ha', image);
  teardown.add(`the containers and the Docker network ${network.name}`, () => network.remove());
  await network.create();
  console.log(`docker: network ${network.name} created; its containers run ${image} (${source})`);
  const queueUrl = await network.startQueue();
  console.log(`docker: the queue's Redis at ${queueUrl}`);
  const connections = new RedisConnections();
  const targets: TargetsFileEntry[] = [];
  try {
    const admin = new ClusterAdmin(connections);
    for (const name of TARGETS) {
      const entry = await network.startTarget(name, admin);
      const addresses = [...entry.groups.A, ...entry.groups.B].map((node) => `${node.name} ${node.host}`).join(', ');
      console.log(`target ${name}: A serving, B1 attached (${addresses})`);
      targets.push(entry);
    }
  } finally {
    await connections.closeAll();
  }

  console.log("postgres: starting a server of the demo's own from Debian's binaries");
  const starting = startTestPostgres('demo-ha');
  teardown.add('PostgreSQL and its data directory', async () => (await starting.catch(() => undefined))?.stop());
  const postgres = await starting;
  const databaseUrl = await postgres.url('redis_drill');
  console.log(`postgres: up on 127.0.0.1:${postgres.port}`);

  const instances: Instance[] = [];
  for (const [index, name] of ['one', 'two'].entries()) {
    instances.push(await startInstance(name, config.port + index, { databaseUrl, queueUrl, targets }));
  }
  console.log(`service: this run's operator token is ${demoSecret} (send "Authorization: Bearer <token>")`);

  const ids = await Promise.all(
    TARGETS.map(async (target, index) => {
      const via = instances[index]!;
      const accepted = await fetch(`${via.base}/drills`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ scenario: 'group-failover', target }),
      });
      if (accepted.status !== 202) {
        throw new Error(`POST ${via.base}/drills answered ${accepted.status}: ${await accepted.text()}`);
      }
      const { id } = (await accepted.json()) as { id: string };
      console.log(`drill ${id} on ${target}: requested through instance ${via.name}`);
      return id;
    }),
  );
  const followers = ids.map((_, index) => instances[(index + 1) % instances.length]!);
  const drills = await Promise.all(ids.map((id, index) => finished(followers[index]!, id)));
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} ms`);
  console.log(
    `\n  ${'target'.padEnd(7)} ${'status'.padEnd(10)} ${'ran on'.padEnd(9)} ${'followed on'.padEnd(12)}` +
      `${'kill → ok'.padStart(10)} ${'whole drill'.padStart(12)}`,
  );
  for (const [index, drill] of drills.entries()) {
    console.log(
      `  ${TARGETS[index]!.padEnd(7)} ${drill.status.padEnd(10)} ${(await ranOn(instances, drill.id)).padEnd(9)} ` +
        `${followers[index]!.name.padEnd(12)}${ms(drill.timings.killToServingMs).padStart(10)} ${ms(drill.timings.totalMs).padStart(12)}`,
    );
  }
  const audit = (await (await fetch(`${instances[0]!.base}/audit/verify`, { headers: { authorization } })).json()) as AuditReportDto;
  console.log(`\naudit chain: ${audit.intact ? 'intact' : 'BROKEN'}, ${audit.eventsChecked} events, checked through instance one`);
  console.log(`instance logs: ${instances.map((instance) => instance.log).join(', ')}\n`);
  return drills.every((drill) => drill.status === 'succeeded') && audit.intact ? 0 : 1;
}

/** One instance, in a working directory of its own with its own copy of the targets file. */
async function startInstance(
  name: string,
  port: number,
  shared: { databaseUrl: string; queueUrl: string; targets: readonly TargetsFileEntry[] },
): Promise<Instance> {
  const cwd = join(directory, `instance-${name}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'targets.json'), JSON.stringify({ targets: shared.targets }));
  const log = join(cwd, 'service.log');
  const output = openSync(log, 'a');
  let started: ChildProcess | undefined;
  teardown.add(`instance ${name}`, async () => started && stop(started));
  const child = (started = spawn(process.execPath, [resolve('dist/main.js')], {
    cwd,
    stdio: ['ignore', output, output],
    env: {
      ...process.env,
      API_TOKENS: `demo:operator:${demoSecret}`,
      PORT: String(port),
      DATABASE_URL: shared.databaseUrl,
      // The demo's own queue, whatever queue the caller's environment names.
      QUEUE_BACKEND: 'redis',
      REDIS_URL: shared.queueUrl,
      TARGETS_FILE: join(cwd, 'targets.json'),
    },
  }));
  const base = `http://${config.host}:${port}/api`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) {
        throw new Error(`instance ${name} exited with ${child.exitCode} (log: ${log})`);
      }
      const response = await fetch(`${base}/health`).catch(() => undefined);
      return response?.ok ? satisfied(undefined) : pending(`health answered ${response?.status ?? 'nothing'}`);
    },
    { description: `instance ${name} to answer at ${base}/health (log: ${log})`, timeoutMs: 60_000, intervalMs: 200 },
  );
  console.log(`service: instance ${name} up at ${base}, working in ${cwd}`);
  return { name, base, log, process: child };
}

/** SIGTERM (the instance parks its drills and exits), then SIGKILL if it is still there after `STOP_TIMEOUT_MS`. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function finished(instance: Instance, id: string): Promise<DrillDto> {
  return waitFor(
    async () => {
      const drill = (await (await fetch(`${instance.base}/drills/${id}`, { headers: { authorization } })).json()) as DrillDto;
      return ['succeeded', 'failed', 'aborted'].includes(drill.status) ? satisfied(drill) : pending(`drill is ${drill.status}`);
    },
    { description: `drill ${id} to finish`, timeoutMs: 180_000, intervalMs: 200 },
  );
}

/** Which instance took the drill's target, from the lease in its events (`host:pid`). */
async function ranOn(instances: readonly Instance[], id: string): Promise<string> {
  const { items } = (await (
    await fetch(`${instances[0]!.base}/drills/${id}/events?limit=1000`, { headers: { authorization } })
  ).json()) as {
    items: { type: string; data: { worker?: string } }[];
  };
  const worker = items.find((event) => event.type === 'LeaseAcquired')?.data.worker ?? '';
  return instances.find((instance) => worker.endsWith(`:${instance.process.pid}`))?.name ?? (worker || '-');
}

void main()
  .catch((error: unknown) => {
    console.error(`demo-ha: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await teardown.run();
    process.exit(code);
  });
