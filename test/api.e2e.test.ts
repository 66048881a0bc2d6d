import { drillEnded } from './support/drill-outcome.js';
import { describeEvents } from './support/describe-events.js';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { GROUP_FAILOVER_STEPS, SCENARIOS } from '../src/drills/scenarios.js';
import {
  drillEventsOverApi,
  drillFinished,
  fetchAs,
  post as postTo,
  startService,
  TEST_TOKENS,
  type RunningService,
} from './support/service.js';
import { childEnv } from './support/child-env.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('rdtest-api');
const run = promisify(execFile);

describe('the service over HTTP, started as `npm start` starts it', () => {
  let lab: TestLab;
  let service: RunningService;
  let base: string;
  let directory: string;
  let drillId: string;
  const databasePath = () => join(directory, 'drills.sqlite');

  const post = (path: string, body: unknown) => postTo(base, path, body);
  /** The id of a drill request answered 202; any other answer fails with its body. */
  const accepted = async (response: Response): Promise<{ id: string }> => {
    const body = await response.text();
    expect(response.status, body).toBe(202);
    return JSON.parse(body) as { id: string };
  };
  /** What `read` finds in the service's database, opened read-only for it alone. */
  const inDatabase = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(databasePath(), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  /** Each drill of the log that has not ended, with its events. */
  const unfinishedDrills = async (): Promise<string[]> => {
    const rows = inDatabase(
      (db) => db.prepare(`SELECT id, status FROM drills WHERE status IN ('queued', 'running')`).all() as { id: string; status: string }[],
    );
    return Promise.all(
      rows.map(async ({ id, status }) => `drill ${id} is ${status}:\n${describeEvents(await drillEventsOverApi(base, id))}`),
    );
  };

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-e2e-'));
    service = await startService({ DATABASE_PATH: databasePath(), LAB_NAME: LAB.name, LAB_BASE_PORT: String(LAB.basePort) });
    base = service.base;
  });

  afterAll(async () => {
    await service?.stop();
    await lab?.close();
    if (directory) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('reports the database, the queue Redis and Docker healthy', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, queue: { status: 'up' }, docker: { status: 'up' } },
      error: {},
    });
  });

  it('accepts a drill with 202, runs it on the worker, and reports every step with its timing', async () => {
    const accepted = await fetchAs(
      `${base}/drills`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'e2e-drill-request' },
        body: JSON.stringify({ scenario: 'group-failover' }),
      },
      'operator',
    );
    expect(accepted.status).toBe(202);
    const { id, status } = (await accepted.json()) as { id: string; status: string };
    drillId = id;
    expect(status).toBe('queued');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const drill = await drillEnded(base, id, 'succeeded');
    expect(drill).toMatchObject({ id, scenario: 'group-failover', target: 'lab', trigger: 'manual', status: 'succeeded' });
    expect(drill.steps.map((step) => step.name)).toEqual([...GROUP_FAILOVER_STEPS]);
    for (const step of drill.steps) {
      expect(step.status).toBe('succeeded');
      expect(step.durationMs).toBeGreaterThan(0);
      expect(Date.parse(step.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    }
    expect(drill.timings.killToServingMs).toBeGreaterThan(0);
    expect(drill.timings.totalMs).toBeGreaterThan(drill.timings.killToRedundantMs!);
  });

  it('serves Prometheus metrics read from the audit log, to a viewer', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const response = await fetchAs(`${base}/metrics`, {}, 'viewer');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^redis_drill_drills\{target="lab",scenario="group-failover",trigger="manual",status="succeeded"\} 1$/m);
    for (const step of GROUP_FAILOVER_STEPS) {
      expect(text).toMatch(new RegExp(`^redis_drill_step_duration_seconds_count\\{step="${step}",target="lab"\\} 1$`, 'm'));
    }
    expect(text).toMatch(/^redis_drill_step_duration_seconds_bucket\{step="kill",target="lab",le="\+Inf"\} 1$/m);
    const killToServing = Number(/^redis_drill_last_kill_to_serving_seconds\{target="lab"\} (\S+)$/m.exec(text)?.[1]);
    expect(killToServing).toBeGreaterThan(0);
    expect(killToServing).toBeLessThan(10);
    expect(text).toMatch(/^redis_drill_last_succeeded\{target="lab"\} 1$/m);
    expect(text).toMatch(/^redis_drill_last_lost_acked_writes\{target="lab"\} \d+$/m);
    expect(text).toMatch(/^redis_drill_queue_jobs\{state="waiting"\} 0$/m);
    expect(text).toMatch(/^redis_drill_halt_engaged 0$/m);
  });

  it('serves the same metrics at /metrics, where Prometheus looks by default, behind the same token', async () => {
    const root = base.replace(/\/api$/, '');
    expect((await fetch(`${root}/metrics`)).status).toBe(401);
    const response = await fetchAs(`${root}/metrics`, {}, 'viewer');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(
      /^redis_drill_drills\{target="lab",scenario="group-failover",trigger="manual",status="succeeded"\} 1$/m,
    );
  });

  it('writes one JSON object per log line, with the correlation id of each request and the id of each drill', async () => {
    const response = await fetchAs(`${base}/drills?limit=1`, { headers: { 'x-correlation-id': 'e2e-corr-42' } }, 'viewer');
    expect(response.headers.get('x-correlation-id')).toBe('e2e-corr-42');
    const lines = await waitFor(
      async () => {
        const parsed = service
          .output()
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        return parsed.some((line) => line.correlationId === 'e2e-corr-42') ? satisfied(parsed) : pending('no line for the request yet');
      },
      { description: 'the access log line of the request', timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(lines.find((line) => line.correlationId === 'e2e-corr-42')).toMatchObject({
      level: 'info',
      context: 'Http',
      message: 'request',
      method: 'GET',
      path: '/api/drills',
      status: 200,
    });
    // The request that asked for the drill and the worker that ran it share a correlation id and the drill's id.
    expect(lines.find((line) => line.message === `drill ${drillId}: succeeded`)).toMatchObject({
      drillId,
      correlationId: 'e2e-drill-request',
      context: 'DrillWorker',
    });
    expect(lines.find((line) => line.message === 'request' && line.correlationId === 'e2e-drill-request')).toMatchObject({
      method: 'POST',
      path: '/api/drills',
      status: 202,
      drillId,
    });
    expect(lines.every((line) => typeof line.time === 'string' && typeof line.level === 'string')).toBe(true);
  });

  it.each([
    ['an unknown scenario', { scenario: 'meteor-strike' }, `scenario must be one of the following values: ${SCENARIOS.join(', ')}`],
    ['a missing scenario', {}, `scenario must be one of the following values: ${SCENARIOS.join(', ')}`],
    ['an unknown target', { scenario: 'group-failover', target: 'prod' }, 'target: unknown target "prod"; known targets: lab'],
    ['an unknown field', { scenario: 'group-failover', force: true }, 'property force should not exist'],
  ])('answers 400 naming the field for %s', async (_, body, message) => {
    const response = await post('/drills', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as Record<string, unknown>;
    expect(error).toMatchObject({ statusCode: 400, error: 'Bad Request', message });
    expect(error.correlationId).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown drill and 400 for an id that is not one', async () => {
    const missing = await fetchAs(`${base}/drills/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'no drill with id 00000000-0000-4000-8000-000000000000' });
    const malformed = await fetchAs(`${base}/drills/not-an-id`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ message: 'id must be a UUID' });
  });

  it('serves Swagger UI and an OpenAPI document with the drill and health endpoints', async () => {
    const ui = await fetchAs(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const document = (await (await fetchAs(`${base}/docs-json`)).json()) as {
      paths: Record<string, object>;
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    };
    expect(document.components.schemas.DrillTimingsDto!.properties.killToServingMs!.description).toMatch(/kill being issued/);
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8')) as unknown;
    expect(document, 'openapi.json differs from the running service: run `npm run build && npm run openapi` and commit it').toEqual(
      committed,
    );
  });

  it('serves Bull Board on the drill queue to operators, behind the same tokens', async () => {
    expect((await fetch(`${base}/queues`)).status).toBe(401);
    expect((await fetchAs(`${base}/queues`, {}, 'viewer')).status).toBe(403);
    const basic = `Basic ${Buffer.from(`operator-token:${TEST_TOKENS.operator}`).toString('base64')}`;
    const page = await fetch(`${base}/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Bull Dashboard');
    const { queues } = (await (await fetchAs(`${base}/queues/api/queues`, {}, 'operator')).json()) as { queues: { name: string }[] };
    expect(queues.map((queue) => queue.name)).toEqual(['drills']);
    // Changing jobs behind the audit log's back is refused, even to an operator.
    const empty = await fetchAs(`${base}/queues/api/queues/drills/empty`, { method: 'PUT' }, 'operator');
    expect(empty.status).toBe(405);
  });

  it('lists the drill in the history with its headline timings, and filters and pages', async () => {
    const list = (await (await fetchAs(`${base}/drills?status=succeeded&target=lab&limit=1`)).json()) as {
      items: { id: string; killToServingMs: number }[];
    };
    expect(list.items.map((item) => item.id)).toEqual([drillId]);
    expect(list.items[0]!.killToServingMs).toBeGreaterThan(0);
    expect(((await (await fetchAs(`${base}/drills?status=failed`)).json()) as { items: unknown[] }).items).toEqual([]);
    const bad = await fetchAs(`${base}/drills?limit=500&colour=blue`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'property colour should not exist; limit must not be greater than 200',
    );
  });

  it('serves the raw events, the timeline and the step statistics of the drill', async () => {
    const events = (await (await fetchAs(`${base}/drills/${drillId}/events?limit=2`)).json()) as {
      items: { type: string }[];
      nextAfter: number;
    };
    expect(events.items.map((event) => event.type)).toEqual(['DrillRequested', 'DrillStarted']);
    expect(events.nextAfter).toBe(2);
    const timeline = (await (await fetchAs(`${base}/drills/${drillId}/timeline`)).json()) as {
      steps: { name: string }[];
      events: { type: string; step?: string }[];
    };
    expect(timeline.steps.map((step) => step.name)).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(timeline.events.filter((event) => event.type === 'NodeKilled').every((event) => event.step === 'kill')).toBe(true);
    const stats = (await (await fetchAs(`${base}/stats/steps?target=lab`)).json()) as {
      drills: { count: number; successRate: number };
      steps: { name: string; count: number }[];
    };
    expect(stats.drills).toMatchObject({ count: 1, successRate: 1 });
    expect(stats.steps.map((step) => [step.name, step.count])).toEqual(GROUP_FAILOVER_STEPS.map((name) => [name, 1]));
    const bad = await fetchAs(`${base}/stats/steps?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('from must be a valid ISO 8601 date string');
  });

  it('is driven from the command line: run and follow a drill, history, show, schedules, audit verify, lab status', async () => {
    const cli = async (...args: string[]) => {
      try {
        const { stdout } = await run(process.execPath, ['dist/cli/redis-drill.cli.js', ...args], {
          env: childEnv({
            REDIS_DRILL_URL: base,
            REDIS_DRILL_TOKEN: TEST_TOKENS.operator,
            LAB_NAME: LAB.name,
            LAB_BASE_PORT: String(LAB.basePort),
          }),
        });
        return { code: 0, stdout };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: `${failed.stdout}${failed.stderr}` };
      }
    };
    const plan = await cli('run', 'group-failover', '--dry-run');
    expect(plan.code).toBe(0);
    // B serves since the first drill: this one fails over back to A.
    expect(plan.stdout).toContain('group-failover on lab: group B is killed, group A takes over');
    expect(plan.stdout).toMatch(/kill\s+SIGKILL every container of the serving group at once\s+rdtest-api-b1 rdtest-api-b2/);

    const followed = await cli('run', 'group-failover', '--no-probe');
    expect(followed.code, followed.stdout).toBe(0);
    const id = /drill (\S+) queued/.exec(followed.stdout)?.[1];
    for (const step of GROUP_FAILOVER_STEPS) {
      expect(followed.stdout).toMatch(new RegExp(`^  ${step}\\s+succeeded\\s+\\d+\\.\\d ms$`, 'm'));
    }
    expect(followed.stdout).toContain(`drill ${id}: group-failover on lab, manual, succeeded`);

    const history = await cli('history', '--limit', '2');
    expect(history.stdout.split('\n')[1]).toContain(id);
    const shown = await cli('show', id!);
    expect(shown.stdout).toMatch(/^kill → cluster_state:ok\s+\d+\.\d ms$/m);
    expect((await cli('audit', 'verify')).stdout).toMatch(/^audit log intact: \d+ events/);
    expect((await cli('run')).code).toBe(2);
    const notANumber = await cli('run', 'group-failover', '--dry-run', '--max-failed-writes', 'some');
    expect(notANumber).toMatchObject({ code: 2 });
    expect(notANumber.stdout).toContain('--max-failed-writes takes a whole number, not "some"');
    const outOfRange = await cli('run', 'group-failover', '--dry-run', '--max-outage-ms', '0');
    expect(outOfRange.code).not.toBe(0);
    expect(outOfRange.stdout).toContain('options.maxClientOutageMs must not be less than 1');
    expect((await cli('show', 'nope')).stdout).toContain('answered 400: id must be a UUID');

    const created = await post('/schedules', { name: 'cli-nightly', cron: '0 3 * * *', scenario: 'group-failover', enabled: false });
    const { id: scheduleId } = (await created.json()) as { id: string };
    try {
      const schedules = await cli('schedules');
      expect(schedules.code, schedules.stdout).toBe(0);
      expect(schedules.stdout).toMatch(
        new RegExp(`^${scheduleId}\\s+cli-nightly\\s+0 3 \\* \\* \\* \\(UTC\\)\\s+group-failover\\s+lab\\s+false\\s+-\\s*$`, 'm'),
      );
    } finally {
      await fetchAs(`${base}/schedules/${scheduleId}`, { method: 'DELETE' });
    }

    // The lab command works on the local Docker engine: A serves again since the drill above, and B
    // stays down until the next drill's prepare restarts it.
    const lab = await cli('lab', 'status');
    expect(lab.code, lab.stdout).toBe(0);
    expect(lab.stdout).toMatch(/'rdtest-api-a1'.*'running'.*'master'/);
    expect(lab.stdout).toMatch(/'rdtest-api-a4'.*'running'.*'replica'.*'a1'/);
    expect(lab.stdout).toMatch(/'rdtest-api-b1'.*'stopped'/);
  });

  it('aborts a drill waiting for its target before it starts, and refuses to abort a finished or unknown one', async () => {
    const late = await post(`/drills/${drillId}/abort`, { reason: 'too late' });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ message: `drill ${drillId} has already succeeded; there is nothing to abort` });
    expect((await post('/drills/00000000-0000-4000-8000-000000000000/abort', { reason: 'x' })).status).toBe(404);
    const unexplained = await post(`/drills/${drillId}/abort`, {});
    expect(unexplained.status).toBe(400);
    expect(((await unexplained.json()) as { message: string }).message).toContain('reason must be');

    // A serves again since the command-line drill, so this one fails over to B; the one queued behind it is aborted first.
    const { id: ahead } = await accepted(await post('/drills', { scenario: 'group-failover' }));
    const { id: behind } = await accepted(await post('/drills', { scenario: 'group-failover', waitForTarget: true }));
    const aborted = await post(`/drills/${behind}/abort`, { reason: 'change freeze' });
    expect(aborted.status).toBe(202);
    expect(await aborted.json()).toEqual({ id: behind, status: 'queued', reason: 'change freeze' });
    // Asking again is harmless. The worker may already have acted on the first request, since it
    // looks as soon as the job reaches it: then the drill has ended, and says so.
    const again = await post(`/drills/${behind}/abort`, { reason: 'again' });
    if (again.status === 202) {
      expect(await again.json()).toEqual({ id: behind, status: 'queued', reason: 'change freeze' });
    } else {
      expect({ status: again.status, body: await again.json() }).toMatchObject({
        status: 409,
        body: { message: `drill ${behind} has already aborted; there is nothing to abort` },
      });
    }

    await drillEnded(base, ahead, 'succeeded');
    const aheadEvents = await drillEventsOverApi(base, ahead);
    expect(aheadEvents.find((event) => event.type === 'TopologyRecorded')?.data).toMatchObject({ from: 'A', to: 'B' });
    const stopped = await drillFinished(base, behind);
    expect(stopped).toMatchObject({ status: 'aborted', error: 'aborted: change freeze', steps: [] });
  });

  it('verifies the audit chain, and names the event someone edited in the database file', async () => {
    const intact = (await (await fetchAs(`${base}/audit/verify`)).json()) as { intact: boolean; eventsChecked: number };
    expect(intact.intact).toBe(true);
    expect(intact.eventsChecked).toBeGreaterThan(20);

    // The projections the service kept live come back identical from the events alone.
    const projections = () =>
      inDatabase((db) => ({
        drills: db.prepare('SELECT * FROM drills ORDER BY id').all(),
        steps: db.prepare('SELECT * FROM drill_steps ORDER BY drill_id, name').all(),
      }));
    // The comparison needs a log that no drill is still writing to; one that is names itself.
    const unfinished = await unfinishedDrills();
    expect(unfinished, unfinished.join('\n')).toEqual([]);
    const live = projections();
    expect(live.drills.length).toBeGreaterThanOrEqual(4);
    const rebuilt = await run(process.execPath, ['--import', 'tsx', 'src/events/events.cli.ts', 'rebuild'], {
      env: childEnv({ DATABASE_PATH: databasePath() }),
    });
    // Every drill's stream, and the schedule changes' stream of the command-line test.
    expect(rebuilt.stdout).toContain(`rebuilt the projections from the events of ${live.drills.length + 1} stream(s)`);
    expect(projections()).toEqual(live);

    const file = new Database(databasePath());
    file.exec('DROP TRIGGER drill_events_no_update');
    file
      .prepare(
        `UPDATE drill_events SET data = '{"node":"a9"}' WHERE stream_id = ? AND type = 'NodeKilled' AND sequence = (SELECT MIN(sequence) FROM drill_events WHERE stream_id = ? AND type = 'NodeKilled')`,
      )
      .run(drillId, drillId);
    const edited = file.prepare(`SELECT position, sequence FROM drill_events WHERE data = '{"node":"a9"}'`).get() as {
      position: number;
      sequence: number;
    };
    file.close();

    const broken = (await (await fetchAs(`${base}/audit/verify`)).json()) as {
      intact: boolean;
      firstBrokenLink: { position: number; drillId: string; sequence: number };
    };
    expect(broken.intact).toBe(false);
    expect(broken.firstBrokenLink).toMatchObject({ position: edited.position, drillId, sequence: edited.sequence });

    const cli = await run(process.execPath, ['--import', 'tsx', 'src/events/events.cli.ts', 'verify'], {
      env: childEnv({ DATABASE_PATH: databasePath() }),
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`BROKEN at position ${edited.position} (drill ${drillId}, sequence ${edited.sequence})`);
  });
});
