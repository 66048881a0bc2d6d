/**
 * `make demo-ha`: several instances sharing one audit log. Starts a PostgreSQL of its own from
 * Debian's `postgresql` package, brings up two small labs as two targets, starts two service
 * instances (each in a working directory of its own, sharing only PostgreSQL and the queue's
 * Redis), requests one drill on each target at once, one through each instance, and follows both.
 * Prints which instance ran each drill and where to look, then stops the instances and PostgreSQL.
 * Exits 0 only if both drills succeeded and the audit chain verifies. The labs stay up.
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
import type { DrillDto } from '../src/drills/drill.dto.js';
import type { AuditReportDto } from '../src/events/audit.dto.js';
import { Lab } from '../src/lab/lab.js';
import { labTargetsEntry } from '../src/lab/lab-targets-entry.js';
import { labQueueUrl, type LabSettings } from '../src/lab/lab-topology.js';
import { startTestPostgres } from '../test/support/postgres.js';

const config = loadConfig();
const directory = resolve('data/demo-ha');
// A token of the demo's own, made fresh for this run: the service has no default one.
const demoSecret = randomBytes(24).toString('base64url');
const authorization = `Bearer ${demoSecret}`;
/** Two small labs beside the default one (which keeps its ports): one master and one replica each. */
const targets: { name: string; lab: LabSettings }[] = [
  { name: 'east', lab: { name: `${config.lab.name}-east`, basePort: config.lab.basePort + 100, shards: 1, replicasPerMaster: 1 } },
  { name: 'west', lab: { name: `${config.lab.name}-west`, basePort: config.lab.basePort + 200, shards: 1, replicasPerMaster: 1 } },
];

interface Instance {
  readonly name: string;
  readonly base: string;
  readonly log: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
}

async function main(): Promise<number> {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const connections = new RedisConnections();
  const admin = new ClusterAdmin(connections);
  for (const { lab } of targets) {
    console.log(`lab: ${lab.name} (ports ${lab.basePort}…): bringing up and resetting to the starting layout`);
    const handle = new Lab(connectDocker(), lab, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs }, admin, (line) =>
      console.log(`lab: ${line}`),
    );
    await handle.up({ form: false });
    await handle.reset();
  }
  await connections.closeAll();

  console.log("postgres: starting a server of the demo's own from Debian's binaries");
  const postgres = await startTestPostgres('redis-drill-demo-ha');
  const instances: Instance[] = [];
  try {
    const databaseUrl = await postgres.url('redis_drill');
    console.log(`postgres: up on 127.0.0.1:${postgres.port}`);
    for (const [index, name] of ['one', 'two'].entries()) {
      instances.push(await startInstance(name, config.port + index, databaseUrl));
    }
    console.log(`service: this run's operator token is ${demoSecret} (send "Authorization: Bearer <token>")`);

    const ids = await Promise.all(
      targets.map(async ({ name }, index) => {
        const via = instances[index]!;
        const accepted = await fetch(`${via.base}/drills`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ scenario: 'group-failover', target: name }),
        });
        if (accepted.status !== 202) {
          throw new Error(`POST ${via.base}/drills answered ${accepted.status}: ${await accepted.text()}`);
        }
        const { id } = (await accepted.json()) as { id: string };
        console.log(`drill: ${id} on ${name}, requested through instance ${via.name}`);
        return id;
      }),
    );
    const drills = await Promise.all(ids.map((id, index) => finished(instances[(index + 1) % instances.length]!, id)));
    console.log(
      `\n  ${'target'.padEnd(7)} ${'status'.padEnd(10)} ${'ran on'.padEnd(9)} ${'kill → ok'.padStart(10)} ${'whole drill'.padStart(12)}`,
    );
    for (const [index, drill] of drills.entries()) {
      const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} ms`);
      console.log(
        `  ${targets[index]!.name.padEnd(7)} ${drill.status.padEnd(10)} ${(await ranOn(instances, drill.id)).padEnd(9)} ` +
          `${ms(drill.timings.killToServingMs).padStart(10)} ${ms(drill.timings.totalMs).padStart(12)}`,
      );
    }
    const audit = (await (await fetch(`${instances[0]!.base}/audit/verify`, { headers: { authorization } })).json()) as AuditReportDto;
    console.log(`\naudit chain: ${audit.intact ? 'intact' : 'BROKEN'}, ${audit.eventsChecked} events, checked through instance one`);
    console.log(`\nWhere to look:`);
    for (const instance of instances) {
      console.log(`  instance ${instance.name}: ${instance.base} (log: ${instance.log})`);
    }
    console.log('  both drills through either instance: GET /api/drills, the dashboard at the root of each');
    return drills.every((drill) => drill.status === 'succeeded') && audit.intact ? 0 : 1;
  } finally {
    console.log('\nstopping the instances and PostgreSQL');
    for (const instance of instances) {
      instance.process.kill('SIGTERM');
    }
    await Promise.all(instances.map((instance) => instance.exited));
    await postgres.stop();
    const down = targets.map(({ lab }) => `LAB_NAME=${lab.name} LAB_BASE_PORT=${lab.basePort} npm run lab -- down --shards 1`);
    console.log(`The labs stay up; remove them with:\n  ${down.join('\n  ')}`);
  }
}

/** One instance, in a working directory of its own with its own copy of the targets file. */
async function startInstance(name: string, port: number, databaseUrl: string): Promise<Instance> {
  const cwd = join(directory, `instance-${name}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'targets.json'), JSON.stringify({ targets: targets.map(({ name, lab }) => labTargetsEntry(lab, name)) }));
  const log = join(cwd, 'service.log');
  const output = openSync(log, 'a');
  const child = spawn(process.execPath, [resolve('dist/main.js')], {
    cwd,
    stdio: ['ignore', output, output],
    env: {
      ...process.env,
      API_TOKENS: `demo:operator:${demoSecret}`,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: labQueueUrl(targets[0]!.lab),
      TARGETS_FILE: join(cwd, 'targets.json'),
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
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
  return { name, base, log, process: child, exited };
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo-ha: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
