import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { errorMessage } from '../../src/common/app-error.js';
import { childEnv } from './child-env.js';
import { resolve } from 'node:path';
import { pending, satisfied, waitFor } from '../../src/common/wait-for.js';
import type { DrillEventDto, DrillEventsPageDto } from '../../src/drills/drill-history.dto.js';
import type { DrillDto } from '../../src/drills/drill.dto.js';
import { describeEvents } from './describe-events.js';

export interface RunningService {
  readonly base: string;
  readonly process: ChildProcess;
  /** Everything the service printed so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /**
   * SIGTERM, then waits for the exit. Throws, with what the service printed, when it had already
   * exited on its own with a failing code, no test having signalled it: a service that crashed
   * under a test says why, whatever the test saw of it.
   */
  stop(): Promise<number | null>;
}

/** The tokens every test service knows, one per role. */
export const TEST_TOKENS = {
  viewer: 'viewer-secret-0123456789',
  operator: 'operator-secret-0123456789',
  admin: 'admin-secret-0123456789',
} as const;
export type TestRole = keyof typeof TEST_TOKENS;
export const TEST_API_TOKENS = Object.entries(TEST_TOKENS)
  .map(([role, secret]) => `${role}-token:${role}:${secret}`)
  .join(',');

/** `fetch` with a test token's bearer header; admin unless a role is named. */
export function fetchAs(url: string, init: RequestInit = {}, role: TestRole = 'admin'): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${TEST_TOKENS[role]}` } });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Where a service runs, how long its boot may take (30 s unless given), and when it counts as started. */
export interface ServiceOptions {
  /** Its working directory, so that several instances share no file; the test's own unless given. */
  readonly cwd?: string;
  readonly bootTimeoutMs?: number;
  /** Whether a health answer means the service is up; a 2xx unless given. */
  readonly answering?: (health: Response) => boolean;
}

/**
 * The built service (`node dist/main.js`) as a child process, answering on a port of its own, with
 * the test tokens and `env` as its configuration, and of the runner's environment only what
 * `childEnv` passes on. It counts as started once its health check passes, or, with
 * `options.answering`, once that accepts the answer. When it does not come up, it is killed and
 * awaited, and the error carries what it printed.
 */
export async function startService(env: Record<string, string>, port?: number, options: ServiceOptions = {}): Promise<RunningService> {
  if (!existsSync('dist/main.js')) {
    throw new Error('dist/main.js is missing: run `npm run build` before these tests (make test does)');
  }
  const listenOn = port ?? (await freePort());
  const child = spawn(process.execPath, [resolve('dist/main.js')], {
    cwd: options.cwd,
    env: childEnv({ API_TOKENS: TEST_API_TOKENS, ...env, PORT: String(listenOn) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${listenOn}/api`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the service exited (${child.exitCode ?? child.signalCode})`);
        }
        const response = await fetch(`${base}/health`);
        return (options.answering ?? ((health: Response) => health.ok))(response)
          ? satisfied(undefined)
          : pending(`health answered ${response.status}`);
      },
      { description: `the service to answer ${base}/health`, timeoutMs: options.bootTimeoutMs ?? 30_000, intervalMs: 100 },
    );
  } catch (error) {
    // A service that never answered may still be booting: it must not outlive the test.
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${errorMessage(error)}\nthe service printed:\n${output}`, { cause: error });
  }
  return {
    base,
    process: child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        return exited;
      }
      // `killed`: a test sent it a signal, so its exit was asked for.
      if (child.exitCode !== null && child.exitCode !== 0 && !child.killed) {
        throw new Error(
          `the service exited on its own with code ${child.exitCode} before the test stopped it; it printed:\n${output.slice(-8000)}`,
        );
      }
      return exited;
    },
  };
}

export const post = (base: string, path: string, body: unknown, role: TestRole = 'operator'): Promise<Response> =>
  fetchAs(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, role);

export async function getDrill(base: string, id: string): Promise<DrillDto> {
  return (await (await fetchAs(`${base}/drills/${id}`, {}, 'viewer')).json()) as DrillDto;
}

/** Every event of a service's drill, from `GET /api/drills/{id}/events`, page by page. */
export async function drillEventsOverApi(base: string, id: string): Promise<DrillEventDto[]> {
  const events: DrillEventDto[] = [];
  for (let after: number | undefined = 0; after !== undefined;) {
    const response = await fetchAs(`${base}/drills/${id}/events?after=${after}&limit=500`, {}, 'viewer');
    if (response.status !== 200) {
      throw new Error(`GET /drills/${id}/events answered ${response.status}: ${await response.text()}`);
    }
    const page = (await response.json()) as DrillEventsPageDto;
    events.push(...page.items);
    after = page.nextAfter;
  }
  return events;
}

/**
 * Polls a drill until it has finished, and returns it. A drill still unfinished at the timeout
 * fails the wait with every event it has, so that the test's output says where it got stuck.
 */
export async function drillFinished(base: string, id: string, timeoutMs = 90_000): Promise<DrillDto> {
  try {
    return await waitFor(
      async () => {
        const drill = await getDrill(base, id);
        return ['succeeded', 'failed', 'aborted'].includes(drill.status) ? satisfied(drill) : pending(`drill is ${drill.status}`);
      },
      { description: `drill ${id} to finish`, timeoutMs, intervalMs: 100 },
    );
  } catch (error) {
    const events = await drillEventsOverApi(base, id).catch(
      (reading: unknown) => `(its events could not be read: ${errorMessage(reading)})`,
    );
    throw new Error(`${errorMessage(error)}\n${typeof events === 'string' ? events : describeEvents(events)}`, { cause: error });
  }
}
