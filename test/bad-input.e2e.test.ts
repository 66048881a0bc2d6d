import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { SCENARIOS } from '../src/drills/drill-events.js';
import { DRILL_QUEUE } from '../src/queue/drill-queue.js';
import { labQueueUrl } from '../src/lab/lab-topology.js';
import { targetNodes } from '../src/targets/drill-target.js';
import { fetchAs, freePort, startService, TEST_API_TOKENS, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = { name: 'rdtest-input', basePort: 8400 };
const RUNS = 150;

type Json = unknown;
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
/** A path segment that is not a drill's or a schedule's: malformed, or a UUID nothing has. */
const unknownId = fc.oneof(
  text,
  fc.uuid({ version: 4 }),
  fc.constantFrom('', '.', '%', 'null', '0', '-1', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
);
/** Optional fields take null as absent, so a wrong value for one is anything but null and a right one. */
const wrongOptional = (isRight: (value: Json) => boolean) => json.filter((value) => value !== null && !isRight(value));
const notBoolean = wrongOptional((value) => typeof value === 'boolean');
const notNonEmptyShortString = (max: number) =>
  json.filter((value) => typeof value !== 'string' || value.length === 0 || value.length > max);
const tooLong = (min: number) => fc.string({ minLength: min + 1, maxLength: min + 40 });

/** A body that cannot pass: none of the endpoint's own fields, or one field wrong, or a field it does not know. */
function invalidBody(valid: Record<string, Json>, wrong: Record<string, fc.Arbitrary<Json>>): fc.Arbitrary<Json> {
  const known = Object.keys(valid);
  const fieldless = json.filter(
    (value) => !(typeof value === 'object' && value !== null && !Array.isArray(value) && known.some((key) => key in value)),
  );
  const unknownField = fc
    .tuple(
      text.filter((key) => key.length > 0 && !known.includes(key) && !Object.keys(wrong).includes(key)),
      json,
    )
    .map(([key, value]) => ({ ...valid, [key]: value }));
  const wrongField = fc.oneof(...Object.entries(wrong).map(([key, value]) => value.map((bad) => ({ ...valid, [key]: bad }))));
  return fc.oneof(fieldless, unknownField, wrongField);
}

const drillBody = invalidBody(
  { scenario: 'group-failover' },
  {
    scenario: json.filter((value) => !(SCENARIOS as readonly Json[]).includes(value)),
    target: wrongOptional((value) => value === 'lab'),
    waitForTarget: notBoolean,
    dryRun: notBoolean,
    options: fc.oneof(
      wrongOptional((value) => typeof value === 'object' && !Array.isArray(value)),
      fc.record({
        probeWritesPerSecond: wrongOptional((value) => Number.isInteger(value) && (value as number) >= 10 && (value as number) <= 2000),
      }),
      fc.record({ planned: notBoolean }),
    ),
  },
);
const reasonBody = invalidBody({ reason: 'maintenance' }, { reason: fc.oneof(notNonEmptyShortString(500), tooLong(500)) });
const scheduleBody = invalidBody(
  { name: 'nightly', everyMs: 86_400_000, scenario: 'group-failover' },
  {
    name: fc.oneof(notNonEmptyShortString(100), tooLong(100)),
    everyMs: wrongOptional((value) => Number.isInteger(value) && (value as number) >= 60_000),
    scenario: json.filter((value) => !(SCENARIOS as readonly Json[]).includes(value)),
    enabled: notBoolean,
    options: fc.record({ waitForTarget: notBoolean }),
  },
);
const query = fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 4 }).map((entries) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      params.append(key, item);
    }
  }
  return params.toString();
});

const isRaw = (body: unknown): body is { raw: string } =>
  typeof body === 'object' && body !== null && 'raw' in body && typeof body.raw === 'string';

describe('bad input: every endpoint answers it with a 4xx naming the problem, and changes nothing', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let queue: Queue;

  /** Sends a JSON value as the body, or `{ raw }` as it stands. */
  const send = async (method: string, path: string, body?: Json): Promise<Answer> => {
    const payload: string | undefined = body === undefined ? undefined : isRaw(body) ? body.raw : JSON.stringify(body);
    const response = await fetchAs(`${service.base}${path}`, {
      method,
      ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: payload }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  /** Everything a request could change: the audit log, the schedules, the queue, the containers. */
  const footprint = async () => {
    const db = new Database(join(directory, 'drills.sqlite'), { readonly: true });
    try {
      return {
        events: db.prepare('SELECT COUNT(*) AS n FROM drill_events').get(),
        schedules: db.prepare('SELECT COUNT(*) AS n FROM schedules').get(),
        jobs: await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children'),
        schedulers: await queue.getJobSchedulersCount(),
        containers: await Promise.all(
          targetNodes(lab.target).map(async (node) => {
            const { State } = await lab.docker.getContainer(node.containerName).inspect();
            return `${node.containerName}:${State.Running}:${State.StartedAt}`;
          }),
        ),
      };
    } finally {
      db.close();
    }
  };
  let before: Awaited<ReturnType<typeof footprint>>;

  const expectRefused = (answer: Answer, statuses: readonly number[]) => {
    expect(statuses, JSON.stringify(answer)).toContain(answer.status);
    expect(answer.body).toMatchObject({
      statusCode: answer.status,
      error: expect.any(String),
      message: expect.any(String),
      correlationId: expect.any(String),
    });
    expect((answer.body.message as string).length).toBeGreaterThan(0);
  };

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: false });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-input-'));
    service = await startService({
      DATABASE_PATH: join(directory, 'drills.sqlite'),
      LAB_NAME: LAB.name,
      LAB_BASE_PORT: String(LAB.basePort),
    });
    queue = new Queue(DRILL_QUEUE, { connection: { url: labQueueUrl(LAB) }, prefix: 'redis-drill' });
    before = await footprint();
  });

  afterAll(async () => {
    await queue?.close();
    await service?.stop();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each([
    ['POST', '/drills', drillBody],
    ['POST', '/drills/plan', drillBody],
    ['POST', '/schedules', scheduleBody],
    ['POST', '/safety/halt', reasonBody],
    ['DELETE', '/safety/halt', reasonBody],
  ] as const)('%s %s refuses generated invalid bodies', async (method, path, bodies) => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        expectRefused(await send(method, path, body), [400, 409, 413]);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses bodies that are not JSON, or too large, before any route sees them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          text.filter((raw) => {
            // An empty body is read as {}: the validation answers it, as the other tests show.
            if (raw.trim() === '') {
              return false;
            }
            try {
              JSON.parse(raw);
              return false;
            } catch {
              return true;
            }
          }),
          fc.integer({ min: 17_000, max: 200_000 }).map((size) => `{"scenario":"${'x'.repeat(size)}"}`),
        ),
        fc.constantFrom('/drills', '/drills/plan', '/schedules', '/safety/halt'),
        async (raw, path) => {
          const answer = await send('POST', path, { raw });
          expectRefused(answer, [400, 413]);
          expect(answer.body.message).toMatch(/^the request body (is not valid JSON|is larger than)/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers ids that name nothing, or are no id, with 400 or 404', async () => {
    await fc.assert(
      fc.asyncProperty(
        unknownId,
        fc.constantFrom(
          ['GET', (id: string) => `/drills/${id}`],
          ['GET', (id: string) => `/drills/${id}/events`],
          ['GET', (id: string) => `/drills/${id}/timeline`],
          ['POST', (id: string) => `/drills/${id}/abort`],
          ['GET', (id: string) => `/schedules/${id}`],
          ['PATCH', (id: string) => `/schedules/${id}`],
          ['DELETE', (id: string) => `/schedules/${id}`],
        ),
        json,
        async (id, [method, path], body) => {
          const answer = await send(method, path(encodeURIComponent(id)), method === 'GET' || method === 'DELETE' ? undefined : body);
          // An empty or dot id can land on another route: all that matters is that nothing succeeds at changing anything.
          if (answer.status < 400) {
            expect(method, JSON.stringify(answer)).toBe('GET');
            return;
          }
          expectRefused(answer, [400, 404, 405]);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('answers any query string on the read endpoints without a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        query,
        fc.constantFrom('/drills', '/stats/steps', '/drills/00000000-0000-4000-8000-000000000000/events'),
        async (search, path) => {
          const answer = await send('GET', `${path}?${search}`);
          expect(answer.status, JSON.stringify(answer)).toBeLessThan(500);
          if (answer.status >= 400) {
            expectRefused(answer, [400, 404]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('left no trace: no event, no schedule, no job, no container touched', async () => {
    expect(await footprint()).toEqual(before);
    expect(((await send('GET', '/safety/halt')).body as { engaged: boolean }).engaged).toBe(false);
  });
});

describe('the service at boot', () => {
  const boot = (env: Record<string, string>) =>
    spawn(process.execPath, ['dist/main.js'], {
      env: { ...process.env, API_TOKENS: TEST_API_TOKENS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const outputOf = (child: ReturnType<typeof boot>) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return () => output;
  };
  const exited = (child: ReturnType<typeof boot>) =>
    waitFor(async () => (child.exitCode !== null || child.signalCode !== null ? satisfied(child.exitCode) : pending('still running')), {
      description: 'the service to exit',
      timeoutMs: 20_000,
      intervalMs: 20,
    });

  it.each([
    [{ LAB_BASE_PORT: 'seven' }, 'invalid configuration: LAB_BASE_PORT must be an integer from 0 to 65535, got "seven"'],
    [{ API_TOKENS: '' }, 'invalid configuration: API_TOKENS is required'],
    [{ API_TOKENS: 'ops:root:0123456789abcdef' }, 'invalid configuration: API_TOKENS is invalid: entry 1 (ops) has the role "root"'],
    [{ TARGETS_FILE: '/nonexistent/targets.json' }, 'invalid configuration: TARGETS_FILE cannot be read'],
    [{ WEBHOOKS: 'lab=http://127.0.0.1:9/hook' }, 'invalid configuration: WEBHOOK_SECRET must be set'],
  ])('stops with the offending key named: %j', async (env, message) => {
    const child = boot(env);
    const output = outputOf(child);
    expect(await exited(child)).toBe(1);
    expect(output()).toContain(message);
  });

  it('starts without its queue Redis, answers health 503 naming the queue, and still stops on SIGTERM', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'redis-drill-noredis-'));
    const port = await freePort();
    const child = boot({
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      DATABASE_PATH: join(directory, 'drills.sqlite'),
    });
    const output = outputOf(child);
    try {
      const health = await waitFor(
        async () => {
          try {
            const response = await fetch(`http://127.0.0.1:${port}/api/health`);
            return satisfied({ status: response.status, body: (await response.json()) as { error: Record<string, { status: string }> } });
          } catch (error) {
            return pending((error as Error).message);
          }
        },
        { description: 'the service to answer without Redis', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(health.status).toBe(503);
      expect(health.body.error.queue).toMatchObject({ status: 'down' });
      expect(Object.keys(health.body.error)).toEqual(['queue']);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(directory, { recursive: true, force: true });
    }
    // Every line is JSON, connection errors included.
    expect(
      output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .every((line) => line.startsWith('{')),
    ).toBe(true);
  });
});
