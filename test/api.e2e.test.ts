import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { STEP_NAMES } from '../src/drills/drill-events.js';
import type { DrillDto } from '../src/drills/drill.dto.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = { name: 'rdtest-api', basePort: 7400 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the service over HTTP, started as `npm start` starts it', () => {
  let lab: TestLab;
  let service: ChildProcess;
  let base: string;
  let directory: string;
  let output = '';

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    if (!existsSync('dist/main.js')) {
      throw new Error('dist/main.js is missing: run `npm run build` before the end-to-end tests (make test does)');
    }
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-e2e-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}/api`;
    service = spawn(process.execPath, ['dist/main.js'], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_PATH: join(directory, 'drills.sqlite'),
        LAB_NAME: LAB.name,
        LAB_BASE_PORT: String(LAB.basePort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      async () => {
        if (service.exitCode !== null) {
          throw new Error(`the service exited with ${service.exitCode}: ${output}`);
        }
        const response = await fetch(`${base}/health`);
        return response.ok ? satisfied(undefined) : pending(`health answered ${response.status}`);
      },
      { description: 'the service to answer /api/health', timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await lab?.close();
    if (directory) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('reports the database, the queue Redis and Docker healthy', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { database: { ok: true }, queue: { ok: true }, docker: { ok: true } } });
  });

  it('accepts a drill with 202, runs it on the worker, and reports every step with its timing', async () => {
    const accepted = await post('/drills', { scenario: 'group-failover' });
    expect(accepted.status).toBe(202);
    const { id, status } = (await accepted.json()) as { id: string; status: string };
    expect(status).toBe('queued');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const drill = await waitFor(
      async () => {
        const current = (await (await fetch(`${base}/drills/${id}`)).json()) as DrillDto;
        return ['succeeded', 'failed', 'aborted'].includes(current.status) ? satisfied(current) : pending(`status ${current.status}`);
      },
      { description: `drill ${id} to finish`, timeoutMs: 90_000, intervalMs: 100 },
    );
    expect(drill).toMatchObject({ id, scenario: 'group-failover', target: 'lab', trigger: 'manual', status: 'succeeded' });
    expect(drill.steps.map((step) => step.name)).toEqual([...STEP_NAMES]);
    for (const step of drill.steps) {
      expect(step.status).toBe('succeeded');
      expect(step.durationMs).toBeGreaterThan(0);
      expect(Date.parse(step.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    }
    expect(drill.timings.killToServingMs).toBeGreaterThan(0);
    expect(drill.timings.totalMs).toBeGreaterThan(drill.timings.killToRedundantMs!);
  });

  it.each([
    ['an unknown scenario', { scenario: 'meteor-strike' }, 'scenario must be one of the following values: group-failover'],
    ['a missing scenario', {}, 'scenario must be one of the following values: group-failover'],
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
    const missing = await fetch(`${base}/drills/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'no drill with id 00000000-0000-4000-8000-000000000000' });
    const malformed = await fetch(`${base}/drills/not-an-id`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ message: 'id must be a UUID' });
  });

  it('serves Swagger UI and an OpenAPI document with the drill and health endpoints', async () => {
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const document = (await (await fetch(`${base}/docs-json`)).json()) as {
      paths: Record<string, object>;
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    };
    expect(Object.keys(document.paths).sort()).toEqual(['/api/drills', '/api/drills/{id}', '/api/health']);
    expect(document.components.schemas.DrillTimingsDto!.properties.killToServingMs!.description).toMatch(/kill being issued/);
  });
});
