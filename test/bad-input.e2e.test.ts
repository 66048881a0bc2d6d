import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { SCENARIOS } from '../src/drills/scenarios.js';
import { DRILL_QUEUE } from '../src/queue/drill-queue.js';
import { labQueueUrl } from '../src/lab/lab-topology.js';
import { targetNodes } from '../src/targets/drill-target.js';
import { fetchAs, freePort, post, startService, TEST_API_TOKENS, type RunningService } from './support/service.js';
import { childEnv } from './support/child-env.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { drillEnded } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-input');
/** Requests per endpoint: more where a body can be wrong in more ways. */
const RUNS = { withBody: 100, withoutBody: 40 };

type Json = unknown;
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** The part of the OpenAPI document the generators read. */
interface Schema {
  readonly type?: string;
  readonly enum?: readonly Json[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly allOf?: readonly Schema[];
  readonly $ref?: string;
}
interface Operation {
  readonly parameters?: readonly { readonly name: string; readonly in: string; readonly schema?: Schema }[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Schema }> };
}
interface OpenApi {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, Schema> };
}
interface Route {
  readonly method: string;
  /** As the document has it, from the root: `/api/drills/{id}`, `/metrics`. */
  readonly path: string;
  readonly query: readonly { readonly name: string; readonly schema: Schema }[];
  /** The request body's schema name, e.g. `CreateDrillDto`. */
  readonly body?: string;
}

/** Endpoints the document must list: a route lost from it would no longer be fuzzed. */
const KNOWN_ROUTES = [
  'GET /api/drills',
  'POST /api/drills',
  'POST /api/drills/plan',
  'GET /api/drills/{id}',
  'GET /api/drills/{id}/events',
  'GET /api/drills/{id}/timeline',
  'POST /api/drills/{id}/abort',
  'POST /api/targets/{name}/repair',
  'GET /api/schedules',
  'POST /api/schedules',
  'GET /api/schedules/{id}',
  'PATCH /api/schedules/{id}',
  'DELETE /api/schedules/{id}',
  'GET /api/safety/halt',
  'POST /api/safety/halt',
  'DELETE /api/safety/halt',
  'GET /api/stats/steps',
  'GET /api/audit/verify',
  'GET /api/admin/targets',
  'GET /api/admin/tokens',
  'POST /api/admin/targets/discover',
  'GET /api/health',
  'GET /metrics',
  'GET /api/metrics',
];
/** Served outside the document it serves. */
const DOCUMENT_ROUTES: Route[] = ['/api/docs-json', '/api/docs-yaml', '/api/docs'].map((path) => ({ method: 'GET', path, query: [] }));

/**
 * A body each DTO accepts, which the generators then break one field at a time. A DTO the
 * document lists without an entry here fails the test: give it one.
 */
const VALID_BODIES: Record<string, Record<string, Json>> = {
  CreateDrillDto: { scenario: 'group-failover' },
  AbortDrillDto: { reason: 'fuzzing' },
  HaltRequestDto: { reason: 'fuzzing' },
  CreateScheduleDto: { name: 'fuzz-new', everyMs: 86_400_000, scenario: 'group-failover', enabled: false },
  UpdateScheduleDto: {},
  RepairTargetDto: { dryRun: true },
  // No containers carry this project, and nothing listens at this loopback port: a body the
  // checks let through is refused without reaching anything.
  DiscoverTargetDto: { project: 'fuzz-none', node: '127.0.0.1:1' },
};
const EXISTING_SCHEDULE = 'fuzz-existing';
const OTHER_SCHEDULE = 'fuzz-other';

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Names every object inherits, and other keys no DTO has. */
const strangeKey = fc.oneof(
  text.filter((key) => key.length > 0),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'Scenario', 'scenario ', ''),
);
const targetName = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/).filter((name) => name !== 'lab');

/** Sets a key as an own property, `__proto__` included, as `JSON.parse` would. */
function withKey(object: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** The values a field's schema refuses: other types, out of range, too short or too long, not in the enum. */
function wrongValues(schema: Schema, required: boolean, resolve: (schema: Schema) => Schema): fc.Arbitrary<Json> {
  const field = resolve(schema);
  const choices: fc.Arbitrary<Json>[] = [];
  if (field.enum) {
    const allowed = field.enum;
    const near = allowed.flatMap((value) =>
      typeof value === 'string' ? [value.toUpperCase(), ` ${value}`, `${value} `, value.slice(0, -1)] : [],
    );
    choices.push(json, fc.constantFrom(...near, '', 'null'));
    return fc.oneof(...choices).filter((value) => !allowed.includes(value) && (required || value !== null));
  }
  switch (field.type) {
    case 'string': {
      choices.push(json.filter((value) => typeof value !== 'string'));
      if ((field.minLength ?? 0) > 0) {
        choices.push(fc.constant(''));
      }
      if (field.maxLength !== undefined) {
        choices.push(fc.string({ minLength: field.maxLength + 1, maxLength: field.maxLength + 40 }));
      }
      break;
    }
    case 'number':
    case 'integer': {
      const { minimum: min, maximum: max } = field;
      choices.push(
        json.filter((value) => typeof value !== 'number'),
        fc.constantFrom('1', '1000', '86400000', '1e3', 'NaN'),
      );
      if (min !== undefined) {
        choices.push(fc.constant(min - 1), fc.integer({ min: -1e12, max: min - 1 }), fc.constant(-1e300));
      }
      if (max !== undefined) {
        choices.push(fc.constant(max + 1), fc.integer({ min: max + 1, max: max + 1e12 }), fc.constant(1e300));
      }
      // Every number these DTOs take is an integer (`@IsInt`): a fraction in range is still wrong.
      choices.push(fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true }).filter((value) => !Number.isInteger(value)));
      break;
    }
    case 'boolean':
      choices.push(
        json.filter((value) => typeof value !== 'boolean'),
        fc.constantFrom('true', 'false', 0, 1, 'yes'),
      );
      break;
    default:
      if (field.properties) {
        // A nested DTO: not an object, or an object with one field wrong or one it does not know.
        choices.push(
          json.filter((value) => typeof value !== 'object' || Array.isArray(value)),
          invalidBody(field, {}, resolve),
        );
      } else {
        throw new Error(`no generator for the schema ${JSON.stringify(schema)}: teach wrongValues its type`);
      }
  }
  return fc.oneof(...choices).filter((value) => required || value !== null);
}

/**
 * Bodies a DTO refuses: `valid` with one field wrong, one required field missing, or one field it
 * does not know; or no object at all. Optional fields take null as absent, so null is wrong only
 * for required ones.
 */
function invalidBody(schema: Schema, valid: Record<string, Json>, resolve: (schema: Schema) => Schema): fc.Arbitrary<Json> {
  const properties = Object.entries(schema.properties ?? {});
  const required = schema.required ?? [];
  const known = properties.map(([key]) => key);
  const choices: fc.Arbitrary<Json>[] = [
    json.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    fc
      .tuple(
        strangeKey.filter((key) => !known.includes(key)),
        json,
      )
      .map(([key, value]) => withKey(valid, key, value)),
    ...properties.map(([key, field]) => wrongValues(field, required.includes(key), resolve).map((value) => withKey(valid, key, value))),
    ...required.map((key) => fc.constant(Object.fromEntries(Object.entries(valid).filter(([name]) => name !== key)))),
  ];
  return fc.oneof(...choices);
}

/**
 * Bodies every DTO check passes that the service must still refuse without a change: an unknown
 * target, a cadence that cannot be, a name taken, an abort of a finished drill, a release of
 * drills that are not halted.
 */
function refusedValidBodies(method: string, path: string): fc.Arbitrary<Json>[] {
  const badCron = fc.constantFrom('not a cron', '* * *', '0 3', '0 3 * *', '61 * * * *', '* * * * * * *', '*/10 * * * * *', '0 0 31 2 *x');
  const badTz = fc.constantFrom('Mars/Olympus', 'UTC+25', 'Europe/Nowhere', 'utc/', '../../etc/passwd');
  const tooOften = fc.integer({ min: 1_000, max: 59_999 });
  const scheduling = (valid: Record<string, Json>, rename: string) => [
    targetName.map((target) => ({ ...valid, target })),
    badCron.map((cron) => ({ ...valid, everyMs: undefined, cron })),
    badTz.map((tz) => ({ ...valid, tz })),
    badTz.map((tz) => ({ ...valid, everyMs: undefined, cron: '0 3 * * *', tz })),
    tooOften.map((everyMs) => ({ ...valid, everyMs })),
    fc.constant({ ...valid, cron: '0 3 * * *', everyMs: 86_400_000 }),
    fc.constant({ ...valid, name: rename }),
  ];
  switch (`${method} ${path}`) {
    case 'POST /api/drills':
    case 'POST /api/drills/plan':
      return [targetName.map((target) => ({ scenario: 'group-failover', target }))];
    case 'POST /api/schedules':
      return [
        ...scheduling(VALID_BODIES.CreateScheduleDto!, EXISTING_SCHEDULE),
        fc.constant({ name: 'fuzz-new', scenario: 'group-failover' }),
      ];
    case 'PATCH /api/schedules/{id}':
      return scheduling({}, OTHER_SCHEDULE);
    case 'POST /api/drills/{id}/abort':
      return [fc.constant(VALID_BODIES.AbortDrillDto)];
    case 'DELETE /api/safety/halt':
      return [fc.constant(VALID_BODIES.HaltRequestDto)];
    default:
      return [];
  }
}

/** A path segment that is no id of anything: malformed, UUID-like but not one, or a UUID nothing has. */
const unknownId = fc.oneof(
  text,
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => id.replaceAll('-', '')),
  fc.uuid().map((id) => `${id} `),
  fc.uuid().map((id) => `${id}0`),
  fc.uuid().map((id) => id.slice(0, -1)),
  fc.uuid().map((id) => `${id.slice(0, -1)}g`),
  fc.constantFrom(
    '',
    '.',
    '..',
    '%',
    'null',
    'undefined',
    '0',
    '-1',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '00000000-0000-4000-8000-000000000000',
    'urn:uuid:00000000-0000-4000-8000-000000000000',
    '../schedules',
    'x'.repeat(1000),
  ),
);

/** Query values around what the parameters take: numbers at and past their bounds, dates that are none, lists. */
const queryValue = fc.oneof(
  text,
  fc.constantFrom('', '-1', '0', '1', '1.5', '1e3', '0x10', 'NaN', 'Infinity', '201', '1001', '99999999999999999999', 'true', 'null'),
  fc.constantFrom('2024-13-45', '2024-01-01', '2024-01-01T00:00:00Z', 'yesterday', '1700000000000', 'x'.repeat(300)),
  fc.constantFrom(...SCENARIOS, 'queued', 'failed', 'QUEUED', 'lab', 'group-failover '),
);
function queryFor(route: Route): fc.Arbitrary<string> {
  const key = fc.oneof(strangeKey, ...(route.query.length > 0 ? [fc.constantFrom(...route.query.map((param) => param.name))] : []));
  const keyLike = key.chain((name) => fc.constantFrom(name, `${name}[]`, `${name}[0]`, `${name}.x`));
  return fc.array(fc.tuple(keyLike, queryValue), { maxLength: 5 }).map((entries) => new URLSearchParams(entries).toString());
}

const isRaw = (body: unknown): body is { raw: string } =>
  typeof body === 'object' && body !== null && 'raw' in body && typeof body.raw === 'string';

describe('bad input: every endpoint answers it with a 4xx naming the problem, and changes nothing', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let origin: string;
  let queue: Queue;
  let db: Database.Database;
  let routes: Route[];
  let openApi: OpenApi;
  let schedule: { id: string };
  let drill: { id: string };

  /** Sends a JSON value as the body, or `{ raw }` as it stands, with the admin's token. */
  const send = async (method: string, path: string, body?: Json): Promise<Answer> => {
    const payload: string | undefined = body === undefined ? undefined : isRaw(body) ? body.raw : JSON.stringify(body);
    const response = await fetchAs(`${origin}${path}`, {
      method,
      ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: payload }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      parsed = JSON.parse(text) as Record<string, unknown>;
    }
    return { status: response.status, body: parsed, text };
  };
  const read = async <T>(path: string): Promise<T> => {
    const answer = await send('GET', path);
    expect(answer.status, answer.text).toBe(200);
    return answer.body as T;
  };

  /** What any request could change in the audit log, the schedules and the queue; cheap enough for every request. */
  const state = async () => ({
    events: db.prepare('SELECT COUNT(*) AS count, MAX(position) AS head FROM drill_events').get(),
    headHash: db.prepare('SELECT hash FROM drill_events ORDER BY position DESC LIMIT 1').get(),
    schedules: db.prepare('SELECT * FROM schedules ORDER BY id').all(),
    drills: db.prepare('SELECT * FROM drills ORDER BY id').all(),
    jobs: await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children'),
    paused: await queue.isPaused(),
    schedulers: (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort(),
  });
  /** The same and more: what the API says, and each lab container's state. */
  const footprint = async () => ({
    ...(await state()),
    schedulesServed: (await read<Record<string, Json>[]>('/api/schedules')).map((served) =>
      Object.fromEntries(Object.entries(served).filter(([key]) => key !== 'nextRuns')),
    ),
    audit: await read<{ intact: boolean; head: Json }>('/api/audit/verify'),
    halt: await read<Json>('/api/safety/halt'),
    containers: await Promise.all(
      targetNodes(lab.target).map(async (node) => {
        const { State, RestartCount } = await lab.docker.getContainer(node.containerName).inspect();
        return `${node.containerName}:${State.Status}:${State.Pid}:${State.StartedAt}:${RestartCount}`;
      }),
    ),
  });
  let before: Awaited<ReturnType<typeof footprint>>;
  let quietly: Awaited<ReturnType<typeof state>>;

  const expectRefused = (answer: Answer) => {
    expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.text).toBeLessThan(500);
    expect(answer.body, answer.text).toMatchObject({
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
    origin = service.base.replace(/\/api$/, '');
    queue = new Queue(DRILL_QUEUE, { connection: { url: labQueueUrl(LAB) }, prefix: 'redis-drill' });
    db = new Database(join(directory, 'drills.sqlite'), { readonly: true });

    openApi = await read<OpenApi>('/api/docs-json');
    routes = [
      ...Object.entries(openApi.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]): Route => ({
          method: method.toUpperCase(),
          path,
          query: (operation.parameters ?? [])
            .filter((param) => param.in === 'query')
            .map(({ name, schema }) => ({ name, schema: schema ?? {} })),
          body: operation.requestBody?.content['application/json']?.schema.$ref?.split('/').at(-1),
        })),
      ),
      ...DOCUMENT_ROUTES,
    ];

    // Rows that exist, so that validation is shown to run before anything on them changes.
    for (const name of [EXISTING_SCHEDULE, OTHER_SCHEDULE]) {
      const response = await post(service.base, '/schedules', { ...VALID_BODIES.CreateScheduleDto, name, enabled: false });
      expect(response.status, await response.clone().text()).toBe(201);
      if (name === EXISTING_SCHEDULE) {
        schedule = (await response.json()) as { id: string };
      }
    }
    // The lab is not formed: the drill is refused by its preflight, and so finishes at once.
    const requested = await post(service.base, '/drills', { scenario: 'group-failover' });
    expect(requested.status, await requested.clone().text()).toBe(202);
    drill = (await requested.json()) as { id: string };
    await drillEnded(service.base, drill.id, 'failed', 60_000);
    // Its job settles after the drill's last event: wait until the queue is idle and nothing moves.
    let last = '';
    await waitFor(
      async () => {
        const now = JSON.stringify(await state());
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        const idle = Object.values(counts).every((count) => count === 0) && now === last;
        last = now;
        return idle ? satisfied(undefined) : pending(`queue ${JSON.stringify(counts)}`);
      },
      { description: 'the refused drill to settle', timeoutMs: 30_000, intervalMs: 100 },
    );
    before = await footprint();
    quietly = await state();
  });

  afterAll(async () => {
    db?.close();
    await queue?.close();
    await service?.stop();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('reads its routes from the OpenAPI document, which lists every known endpoint and a valid body for each DTO', () => {
    const listed = routes.map((route) => `${route.method} ${route.path}`);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(expect.arrayContaining([...KNOWN_ROUTES, 'GET /api/docs-json']));
    for (const route of routes.filter((each) => each.body !== undefined)) {
      expect(Object.keys(VALID_BODIES), `${route.method} ${route.path} takes a ${route.body}`).toContain(route.body);
    }
    // The rows the fuzzing must leave as they are.
    expect(before.schedulesServed).toHaveLength(2);
    expect(before.drills).toHaveLength(1);
  });

  it('answers generated ids, query strings and bodies on every endpoint with no 5xx, refuses every write, and changes nothing', async () => {
    const resolve = (schema: Schema): Schema => {
      const reference = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
      if (reference) {
        return resolve(openApi.components.schemas[reference.split('/').at(-1)!]!);
      }
      return schema;
    };
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const writes = route.method !== 'GET';
      // Real rows for the routes that act on one, except DELETE, which would remove it.
      const known =
        route.method === 'DELETE' || !route.path.includes('{')
          ? []
          : route.path.startsWith('/api/schedules/')
            ? [schedule.id]
            : route.path.startsWith('/api/drills/')
              ? [drill.id]
              : [];
      const id =
        known.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 2 }, { arbitrary: unknownId, weight: 3 }) : unknownId;
      const path = route.path.includes('{')
        ? id.map((value) => route.path.replace(/\{[^}]+\}/g, encodeURIComponent(value)))
        : fc.constant(route.path);
      let body: fc.Arbitrary<Json> = fc.constant(undefined);
      if (route.body !== undefined) {
        const schema = resolve({ $ref: route.body });
        body = fc.oneof(invalidBody(schema, VALID_BODIES[route.body] ?? {}, resolve), ...refusedValidBodies(route.method, route.path));
      } else if (writes) {
        body = fc.option(json, { nil: undefined });
      }
      const seen = { statuses: new Set<number>(), onKnownRows: new Set<number>() };
      await fc.assert(
        fc.asyncProperty(path, queryFor(route), body, async (target, search, payload) => {
          const answer = await send(route.method, search ? `${target}?${search}` : target, payload);
          seen.statuses.add(answer.status);
          if (known.some((row) => target.includes(row))) {
            seen.onKnownRows.add(answer.status);
          }
          expect(answer.status, `${name}: ${answer.text}`).toBeLessThan(500);
          if (writes || answer.status >= 400) {
            expectRefused(answer);
          }
          expect(await state(), `${name} changed something`).toEqual(quietly);
        }),
        { numRuns: route.body !== undefined ? RUNS.withBody : RUNS.withoutBody },
      );
      expect(await footprint(), `${name} changed something`).toEqual(before);
      // Not vacuous: bodies reached the validation, and on the real rows got past the lookup.
      if (route.body !== undefined) {
        expect([...seen.statuses], name).toContain(400);
      }
      if (writes && known.length > 0) {
        expect(
          [...seen.onKnownRows].filter((status) => status === 400 || status === 409),
          name,
        ).not.toHaveLength(0);
      }
      if (!writes) {
        expect([...seen.statuses], name).toContain(200);
      }
    }
  });

  it('refuses bodies that are not JSON, or too large, before any route sees them', async () => {
    const paths = routes
      .filter((route) => route.body !== undefined)
      .map((route) => [route.method, route.path.replace('{id}', drill.id)] as const);
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
        fc.constantFrom(...paths),
        async (raw, [method, path]) => {
          const answer = await send(method, path, { raw });
          expectRefused(answer);
          expect([400, 413]).toContain(answer.status);
          expect(answer.body.message).toMatch(/^the request body (is not valid JSON|is larger than)/);
        },
      ),
      { numRuns: RUNS.withBody },
    );
  });

  it('left no trace: no event, no schedule changed, no job, no container touched', async () => {
    expect(await footprint()).toEqual(before);
    expect((before.halt as { engaged: boolean }).engaged).toBe(false);
    expect(before.audit.intact).toBe(true);
  });
});

describe.concurrent('the service at boot', () => {
  const boot = (env: Record<string, string>) =>
    spawn(process.execPath, ['dist/main.js'], {
      env: childEnv({ API_TOKENS: TEST_API_TOKENS, ...env }),
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
    [{ HOST: 'not a host' }, 'invalid configuration: HOST must be an IP address or a host name'],
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
