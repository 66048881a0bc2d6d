import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import type { DrillPlanDto } from '../src/drills/drill-plan.dto.js';
import { targetNodes, type TargetNode } from '../src/targets/drill-target.js';
import { startUnrelatedRedis } from './support/containers.js';
import { drillFinished, fetchAs, getDrill, post, startService, TEST_TOKENS, type RunningService } from './support/service.js';
import { freeLab, freePortBlock } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { drillEnded } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-sec');
/** The bystander container's, the bystander process's, and the impostor's. */
const BYSTANDER_CONTAINER_PORT = await freePortBlock(3);
const BYSTANDER_PROCESS_PORT = BYSTANDER_CONTAINER_PORT + 1;
/** The ports the `elsewhere` target's nodes claim; nothing listens on them. */
const ELSEWHERE_BASE_PORT = await freePortBlock(12);

interface EventRow {
  drill_id: string;
  type: string;
  actor: string;
}

describe('who may run a drill, what a drill may touch', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let bystander: Awaited<ReturnType<typeof startUnrelatedRedis>>;
  /** The containers of the `elsewhere` target, removed afterwards. */
  const elsewhere: string[] = [];
  let bystanderProcess: ChildProcess;
  const env = () => ({
    DATABASE_PATH: join(directory, 'drills.sqlite'),
    LAB_NAME: LAB.name,
    LAB_BASE_PORT: String(LAB.basePort),
    WORKER_LEASE_MS: '3000',
    SCHEDULE_MIN_INTERVAL_MS: '1000',
    TARGETS_FILE: join(directory, 'targets.json'),
  });
  const base = () => service.base;
  const events = (where = '1 = 1'): EventRow[] => {
    const db = new Database(join(directory, 'drills.sqlite'), { readonly: true });
    try {
      return db.prepare(`SELECT stream_id AS drill_id, type, actor FROM drill_events WHERE ${where} ORDER BY position`).all() as EventRow[];
    } finally {
      db.close();
    }
  };
  const containerStarts = async () =>
    Promise.all(targetNodes(lab.target).map(async (node) => (await lab.docker.getContainer(node.containerName).inspect()).State.StartedAt));
  const bystanderProcessKey = async () => {
    const client = new Redis({ host: '127.0.0.1', port: BYSTANDER_PROCESS_PORT, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await client.get('bystander');
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-security-'));
    // A second target, configured from a file, on containers of its own (created, never started)
    // that carry another label value than the one the file gives: no node is the lab's, since
    // two targets may not share one.
    const key = lab.target.containerLabel.key;
    const node = (n: TargetNode, index: number) => ({
      name: n.name,
      port: ELSEWHERE_BASE_PORT + index,
      containerName: `${LAB.name}-elsewhere-${n.name}`,
    });
    const groups = { A: lab.target.groups.A.map(node), B: lab.target.groups.B.map((n, index) => node(n, index + 6)) };
    for (const { containerName } of [...groups.A, ...groups.B]) {
      await lab.docker
        .getContainer(containerName)
        .remove({ force: true })
        .catch(() => undefined);
      await lab.docker.createContainer({ name: containerName, Image: lab.image, Labels: { [key]: 'another-lab' } });
      elsewhere.push(containerName);
    }
    writeFileSync(
      join(directory, 'targets.json'),
      JSON.stringify({
        targets: [
          {
            name: 'elsewhere',
            containerLabel: { key, value: 'not-this-lab' },
            clusterConfigFile: lab.target.clusterConfigFile,
            groups,
          },
        ],
      }),
    );
    bystander = await startUnrelatedRedis(lab.docker, lab.image, `${LAB.name}-bystander`, BYSTANDER_CONTAINER_PORT);
    // A Redis process on the host, started as Debian's redis-server is: the same binary under that name.
    bystanderProcess = spawn('bash', [
      '-c',
      `exec -a redis-server /usr/bin/redis-check-rdb --port ${BYSTANDER_PROCESS_PORT} --bind 127.0.0.1 --save '' --appendonly no`,
    ]);
    await waitFor(
      async () => {
        const client = new Redis({ host: '127.0.0.1', port: BYSTANDER_PROCESS_PORT, lazyConnect: true, maxRetriesPerRequest: 0 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          // The process this test started, not one left on the port by an earlier run.
          const pid = /process_id:(\d+)/.exec(await client.info('server'))?.[1];
          if (Number(pid) !== bystanderProcess.pid) {
            throw new Error(`port ${BYSTANDER_PROCESS_PORT} is held by process ${pid}, not by the bystander this test started`);
          }
          await client.set('bystander', 'untouched');
          return satisfied(undefined);
        } catch (error) {
          if ((error as Error).message.startsWith('port ')) {
            throw error;
          }
          return pending((error as Error).message);
        } finally {
          client.disconnect();
        }
      },
      { description: 'the bystander Redis process to answer', timeoutMs: 10_000, intervalMs: 50 },
    );
    service = await startService(env());
  });

  afterAll(async () => {
    await service?.stop();
    for (const name of elsewhere) {
      await lab.docker
        .getContainer(name)
        .remove({ force: true })
        .catch(() => undefined);
    }
    bystanderProcess?.kill('SIGKILL');
    await bystander?.remove();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers 401 without a token or with one it does not know, 403 below the role, and health to anyone', async () => {
    const anonymous = await fetch(`${base()}/drills`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="redis-drill"');
    expect(await anonymous.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.stringContaining('bearer token'),
    });
    const unknown = await fetch(`${base()}/drills`, { headers: { authorization: `Bearer ${TEST_TOKENS.admin}x` } });
    expect(unknown.status).toBe(401);
    expect((await fetchAs(`${base()}/drills`, {}, 'viewer')).status).toBe(200);

    const before = events().length;
    const refused = await post(base(), '/drills', { scenario: 'group-failover' }, 'viewer');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'token viewer-token has the role viewer; this needs operator' });
    expect((await post(base(), '/safety/halt', { reason: 'no' }, 'operator')).status).toBe(403);
    expect((await post(base(), '/schedules', { name: 'x', everyMs: 60_000, scenario: 'group-failover' }, 'viewer')).status).toBe(403);
    expect(events()).toHaveLength(before);
    expect((await fetch(`${base()}/health`)).status).toBe(200);
  });

  it('shows admins the targets and tokens the configuration grants, never a secret', async () => {
    expect((await fetchAs(`${base()}/admin/tokens`, {}, 'operator')).status).toBe(403);
    const tokens = await fetchAs(`${base()}/admin/tokens`, {}, 'admin');
    const body = await tokens.text();
    expect(JSON.parse(body)).toEqual([
      { name: 'viewer-token', role: 'viewer' },
      { name: 'operator-token', role: 'operator' },
      { name: 'admin-token', role: 'admin' },
    ]);
    for (const secret of Object.values(TEST_TOKENS)) {
      expect(body).not.toContain(secret);
    }
    const targets = (await (await fetchAs(`${base()}/admin/targets`, {}, 'admin')).json()) as {
      name: string;
      isDefault: boolean;
      groupA: { containerName: string }[];
    }[];
    expect(targets.map((target) => [target.name, target.isDefault])).toEqual([
      ['lab', true],
      ['elsewhere', false],
    ]);
    expect(targets[0]!.groupA.map((node) => node.containerName)).toEqual(lab.target.groups.A.map((node) => node.containerName));
  });

  it('offers no route that edits or deletes the audit log', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['DELETE', `/drills/${id}`],
      ['PUT', `/drills/${id}`],
      ['PATCH', `/drills/${id}`],
      ['DELETE', `/drills/${id}/events`],
      ['PUT', `/drills/${id}/events`],
      ['POST', `/drills/${id}/events`],
      ['POST', '/audit/verify'],
      ['DELETE', '/audit'],
    ] as const) {
      expect((await fetchAs(`${base()}${path}`, { method }, 'admin')).status, `${method} ${path}`).toBe(404);
    }
  });

  it('opens the API docs to a token, as a bearer or as HTTP Basic credentials a browser can send', async () => {
    const anonymous = await fetch(`${base()}/docs`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic realm="redis-drill"');
    expect((await fetch(`${base()}/docs-json`)).status).toBe(401);
    expect((await fetch(`${base()}/docs-yaml`)).status).toBe(401);
    expect((await fetch(`${base().toUpperCase().replace('HTTP://', 'http://')}/DOCS-YAML/`)).status).toBe(401);
    const basic = `Basic ${Buffer.from(`viewer-token:${TEST_TOKENS.viewer}`).toString('base64')}`;
    const ui = await fetch(`${base()}/docs`, { headers: { authorization: basic } });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const document = (await (await fetchAs(`${base()}/docs-json`, {}, 'viewer')).json()) as { components: { securitySchemes: object } };
    expect(document.components.securitySchemes).toHaveProperty('bearer');
  });

  it('sends security headers on API answers, refusals, the dashboard, the docs and the queue board', async () => {
    const root = base().replace(/\/api$/, '');
    const strict = [
      await fetchAs(`${base()}/drills`, {}, 'viewer'),
      await fetch(`${base()}/drills`),
      await fetch(`${base()}/health`),
      await fetch(`${root}/`),
    ];
    expect(strict.map((response) => response.status)).toEqual([200, 401, 200, 200]);
    const inlineStyled = [await fetchAs(`${base()}/docs`, {}, 'viewer'), await fetchAs(`${base()}/queues`, {}, 'operator')];
    expect(inlineStyled.map((response) => response.status)).toEqual([200, 200]);
    const directives = (response: Response) => (response.headers.get('content-security-policy') ?? '').split(';');
    for (const response of [...strict, ...inlineStyled]) {
      expect(response.headers.get('x-frame-options'), response.url).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), response.url).toBe('nosniff');
      expect(directives(response), response.url).toEqual(
        expect.arrayContaining(["default-src 'self'", "script-src 'self'", "script-src-attr 'none'", "frame-ancestors 'none'"]),
      );
    }
    for (const response of strict) {
      expect(directives(response), response.url).toContain("style-src 'self'");
    }
    for (const response of inlineStyled) {
      expect(directives(response), response.url).toContain("style-src 'self' 'unsafe-inline'");
    }
    // The dashboard's page loads only what the policy allows: its own script and stylesheet.
    expect(await strict[3]!.text()).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
  });

  it('plans a drill without touching anything, as a dry run or at /drills/plan', async () => {
    const before = { events: events().length, starts: await containerStarts() };
    const dry = await post(base(), '/drills', { scenario: 'failover-and-failback', dryRun: true, options: { planned: true } });
    expect(dry.status).toBe(200);
    const plan = (await dry.json()) as DrillPlanDto;
    expect(plan).toMatchObject({ scenario: 'failover-and-failback', target: 'lab', from: 'A', to: 'B' });
    expect(plan.operations.find((operation) => operation.step === 'kill' && operation.containers)?.containers).toEqual(
      lab.target.groups.A.map((node) => node.containerName),
    );
    expect(plan.operations.map((operation) => operation.step).at(-1)).toBe('failback');
    const viewerPlan = await post(base(), '/drills/plan', { scenario: 'failover-and-failback', options: { planned: true } }, 'viewer');
    expect(viewerPlan.status).toBe(200);
    expect(await viewerPlan.json()).toEqual(plan);
    expect((await post(base(), '/drills/plan', { scenario: 'group-failover', target: 'prod' }, 'viewer')).status).toBe(400);
    expect({ events: events().length, starts: await containerStarts() }).toEqual(before);
    expect(((await (await fetchAs(`${base()}/drills`)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses with 422 and the failed check a drill whose target has a container missing, or not labelled as its own', async () => {
    const b6 = lab.target.groups.B[5]!;
    const { key, value } = lab.target.containerLabel;
    const before = events().length;
    await lab.docker.getContainer(b6.containerName).rename({ name: `${b6.containerName}-away` });
    let impostor: Awaited<ReturnType<typeof startUnrelatedRedis>> | undefined;
    try {
      const missing = await post(base(), '/drills', { scenario: 'group-failover' });
      expect(missing.status).toBe(422);
      expect(await missing.json()).toMatchObject({
        statusCode: 422,
        failedChecks: [{ check: 'containers-labelled', problem: `container ${b6.containerName} of b6 does not exist` }],
      });
      impostor = await startUnrelatedRedis(lab.docker, lab.image, b6.containerName, BYSTANDER_CONTAINER_PORT + 2);
      const impostorStart = (await lab.docker.getContainer(b6.containerName).inspect()).State.StartedAt;
      const unlabelled = await post(base(), '/drills', { scenario: 'group-failover' });
      expect(unlabelled.status).toBe(422);
      expect(((await unlabelled.json()) as { message: string }).message).toBe(
        `preflight failed: containers-labelled: container ${b6.containerName} of b6 lacks the label ${key}=${value}`,
      );
      expect((await lab.docker.getContainer(b6.containerName).inspect()).State.StartedAt).toBe(impostorStart);
    } finally {
      await impostor?.remove();
      await lab.docker.getContainer(`${b6.containerName}-away`).rename({ name: b6.containerName });
    }
    // A target from TARGETS_FILE whose label does not match its containers is refused as a whole.
    const mislabelled = await post(base(), '/drills', { scenario: 'group-failover', target: 'elsewhere' });
    expect(mislabelled.status).toBe(422);
    expect(((await mislabelled.json()) as { failedChecks: { check: string; problem: string }[] }).failedChecks).toEqual([
      { check: 'containers-labelled', problem: expect.stringContaining(`lacks the label ${key}=not-this-lab`) },
    ]);
    expect(events()).toHaveLength(before);
  });

  it('records the token behind a drill and behind an abort as their actor', async () => {
    const { id } = (await (await post(base(), '/drills', { scenario: 'group-failover' })).json()) as { id: string };
    expect((await post(base(), `/drills/${id}/abort`, { reason: 'change freeze' }, 'admin')).status).toBe(202);
    await drillFinished(base(), id);
    const rows = events(`stream_id = '${id}'`);
    expect(rows[0]).toMatchObject({ type: 'DrillRequested', actor: 'operator-token' });
    expect(rows.find((row) => row.type === 'AbortRequested')?.actor).toBe('admin-token');
  });

  it('halts: aborts the running drill, refuses new ones with 423 across a restart, and scheduled ones, until released', async () => {
    await lab.lab.reset();
    const { id } = (await (await post(base(), '/drills', { scenario: 'group-failover' })).json()) as { id: string };
    await waitFor(async () => ((await getDrill(base(), id)).status === 'running' ? satisfied(undefined) : pending('queued')), {
      description: 'the drill to start',
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    const halted = await post(base(), '/safety/halt', { reason: 'incident 42' }, 'admin');
    expect(halted.status).toBe(200);
    expect(await halted.json()).toMatchObject({ engaged: true, reason: 'incident 42', by: 'admin-token', abortedDrills: [id] });
    expect(await drillFinished(base(), id)).toMatchObject({ status: 'aborted', error: 'aborted: halted: incident 42' });

    const refused = await post(base(), '/drills', { scenario: 'group-failover' });
    expect(refused.status).toBe(423);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^drills are halted since .* by admin-token: incident 42/);

    await service.stop();
    service = await startService(env());
    expect(await (await fetchAs(`${base()}/safety/halt`, {}, 'viewer')).json()).toMatchObject({ engaged: true, reason: 'incident 42' });
    expect((await post(base(), '/drills', { scenario: 'group-failover', waitForTarget: true })).status).toBe(423);

    // A schedule still fires while halted; its drill is recorded as aborted and touches nothing.
    const starts = await containerStarts();
    const schedule = (await (
      await post(base(), '/schedules', { name: 'during-halt', everyMs: 1000, scenario: 'group-failover' })
    ).json()) as {
      id: string;
    };
    const fired = await waitFor(
      async () => {
        const { items } = (await (await fetchAs(`${base()}/drills?limit=5`)).json()) as {
          items: { id: string; scheduleId?: string; status: string }[];
        };
        const drill = items.find((item) => item.scheduleId === schedule.id && item.status !== 'queued' && item.status !== 'running');
        return drill ? satisfied(drill) : pending('no finished scheduled drill yet');
      },
      { description: 'the schedule to fire', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect((await fetchAs(`${base()}/schedules/${schedule.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await getDrill(base(), fired.id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^refused: preflight failed: halt-released: drills are halted since .* by admin-token: incident 42$/),
      steps: [],
    });
    expect(await containerStarts()).toEqual(starts);

    const release = await fetchAs(
      `${base()}/safety/halt`,
      { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'incident closed' }) },
      'admin',
    );
    expect(release.status).toBe(200);
    expect(await release.json()).toMatchObject({ engaged: false, reason: 'incident closed', by: 'admin-token' });
    const again = await fetchAs(
      `${base()}/safety/halt`,
      { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'twice' }) },
      'admin',
    );
    expect(again.status).toBe(409);

    expect(events(`stream_id = 'safety'`).map((row) => [row.type, row.actor])).toEqual([
      ['HaltEngaged', 'admin-token'],
      ['HaltReleased', 'admin-token'],
    ]);
    const audit = (await (await fetchAs(`${base()}/audit/verify`, {}, 'viewer')).json()) as { intact: boolean };
    expect(audit.intact).toBe(true);
    // The switch's stream is no drill: the history does not list it.
    const { items } = (await (await fetchAs(`${base()}/drills?limit=200`)).json()) as { items: { id: string }[] };
    expect(items.map((item) => item.id)).not.toContain('safety');
  });

  it('never touches a container or a host process outside its target: drills, an abort, a crash, lab commands', async () => {
    const bystanderStart = (await lab.docker.getContainer(bystander.name).inspect()).State.StartedAt;
    await lab.lab.reset();
    const ran = (await (await post(base(), '/drills', { scenario: 'failover-and-failback' })).json()) as { id: string };
    await drillEnded(base(), ran.id, 'succeeded');

    // A service that dies right after its kills, and the one that resumes the drill.
    await service.stop();
    const doomed = await startService({ ...env(), DRILL_CRASH_AT: 'kill:after-signals' });
    const crashed = (await (await post(doomed.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string };
    await waitFor(async () => (doomed.process.signalCode === 'SIGKILL' ? satisfied(undefined) : pending('still running')), {
      description: 'the service to die after its kills',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    service = await startService(env());
    await drillEnded(base(), crashed.id, 'succeeded');

    await lab.lab.reset();
    await lab.lab.down();
    expect(await bystander.running()).toBe(true);
    expect((await lab.docker.getContainer(bystander.name).inspect()).State.StartedAt).toBe(bystanderStart);
    expect(bystanderProcess.exitCode).toBeNull();
    expect(bystanderProcess.signalCode).toBeNull();
    expect(await bystanderProcessKey()).toBe('untouched');

    // The queue's Redis went down with the lab; SIGTERM still ends the service, within its deadline.
    service.process.kill('SIGTERM');
    await waitFor(
      async () =>
        service.process.exitCode !== null || service.process.signalCode !== null ? satisfied(undefined) : pending('still running'),
      { description: 'the service to exit without its queue Redis', timeoutMs: 20_000, intervalMs: 50 },
    );
  });
});
