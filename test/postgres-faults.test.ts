import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silenceLimitMs } from '../src/common/listened-client.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import type { DrillEventsPageDto } from '../src/drills/drill-history.dto.js';
import { SCENARIO_STEPS } from '../src/drills/scenarios.js';
import { expectGroupBHealthy } from './support/after-failover.js';
import { drillEnded } from './support/drill-outcome.js';
import { startCuttingProxy, type CuttingProxy } from './support/cutting-proxy.js';
import { freeLab } from './support/free-ports.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { fetchAs, getDrill, post, startService, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('pg-faults-lab');
/** The service's statement timeout in the second case: short, so that the failures it bounds come soon. */
const STATEMENT_TIMEOUT_MS = 1_000;

/** The health report's entry for the audit database. */
async function databaseHealth(base: string): Promise<{ httpStatus: number; body: string; database: { status: string; message?: string } }> {
  const response = await fetch(`${base}/health`);
  const body = await response.text();
  const report = JSON.parse(body) as { details: { database: { status: string; message?: string } } };
  return { httpStatus: response.status, body, database: report.details.database };
}

/** Waits until the drill's kill step has succeeded: past it, the failover must be finished. */
async function pastItsKill(base: string, id: string): Promise<void> {
  await waitFor(
    async () => {
      const drill = await getDrill(base, id);
      const kill = drill.steps.find((step) => step.name === 'kill');
      return kill?.status === 'succeeded' ? satisfied(undefined) : pending(`drill ${drill.status}, kill ${kill?.status}`);
    },
    { description: `drill ${id} to get past its kill`, timeoutMs: 90_000, intervalMs: 50 },
  );
}

/**
 * Waits for the group failover to succeed, and checks from its events that every step succeeded
 * once, in order, with six kills, no sequence skipped, and the audit chain intact; answers its
 * events by type, for the checks a test adds.
 */
async function finishedFromItsEvents(base: string, id: string): Promise<(type: string) => DrillEventsPageDto['items']> {
  await drillEnded(base, id, 'succeeded', 180_000);
  const { items: events } = (await (await fetchAs(`${base}/drills/${id}/events?limit=1000`, {}, 'viewer')).json()) as DrillEventsPageDto;
  const ofType = (type: string) => events.filter((event) => event.type === type);
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
  expect(ofType('StepSucceeded').map((event) => (event.data as { step: string }).step)).toEqual([...SCENARIO_STEPS['group-failover']]);
  expect(ofType('NodeKilled')).toHaveLength(6);
  expect(ofType('DrillSucceeded')).toHaveLength(1);
  const audit = (await (await fetchAs(`${base}/audit/verify`)).json()) as { intact: boolean };
  expect(audit.intact).toBe(true);
  return ofType;
}

describe('PostgreSQL down at boot and in the middle of a drill, with the built service and the Docker lab', () => {
  let lab: TestLab;
  let postgres: TestPostgres;
  let service: RunningService | undefined;
  let proxy: CuttingProxy | undefined;

  beforeAll(async () => {
    [lab, postgres] = await Promise.all([startTestLab(LAB, { form: true }), startTestPostgres('pg-faults')]);
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await postgres?.stop();
    await lab?.close();
  });

  it('starts without it and refuses drills; once it is back, a drill it drops out of parks, resumes, and records every event once', async () => {
    const url = await postgres.url('drills');
    await postgres.shutDown();
    service = await startService({ DATABASE_URL: url, LAB_NAME: LAB.name, LAB_BASE_PORT: String(LAB.basePort) }, undefined, {
      answering: (health) => health.status === 503,
    });

    const down = await databaseHealth(service.base);
    expect(down.httpStatus).toBe(503);
    expect(down.database).toMatchObject({ status: 'down' });
    expect(down.database.message).toContain(`PostgreSQL at postgres://…@127.0.0.1:${postgres.port}/drills is unavailable`);
    expect(down.body).not.toContain(postgres.password);
    const refused = await post(service.base, '/drills', { scenario: 'group-failover' });
    const refusal = await refused.text();
    expect(refused.status).toBe(503);
    expect(refusal).toMatch(/the audit log's database is unavailable: PostgreSQL at postgres:\/\/…@127\.0\.0\.1/);
    expect(refusal).not.toContain(postgres.password);
    // Reads say the same, rather than a bare 500.
    expect((await fetchAs(`${service.base}/drills`, {}, 'viewer')).status).toBe(503);

    await postgres.startAgain();
    await waitFor(
      async () => {
        const { database } = await databaseHealth(service!.base);
        return database.status === 'up' ? satisfied(undefined) : pending(`database ${database.status}: ${database.message}`);
      },
      { description: 'the service to open PostgreSQL once it is back', timeoutMs: 30_000, intervalMs: 200 },
    );

    const accepted = await post(service.base, '/drills', { scenario: 'group-failover' });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    // Past the kill, the drill must finish its failover: the worst moment to lose the log.
    await pastItsKill(service.base, id);
    await postgres.shutDown();
    await waitFor(
      async () => {
        const health = await databaseHealth(service!.base);
        return health.httpStatus === 503 && health.database.status === 'down' ? satisfied(undefined) : pending(health.body);
      },
      { description: 'the health check to report the database down', timeoutMs: 10_000, intervalMs: 200 },
    );
    await postgres.startAgain();

    const ofType = await finishedFromItsEvents(service.base, id);
    // It stopped when the database went, and went on from where its events stood.
    expect(ofType('DrillResumed').length).toBeGreaterThanOrEqual(1);
    await expectGroupBHealthy(lab);
  });

  it('parks a drill whose server goes silent, whose append times out behind a lock a hung session holds, or whose connection is cut without a code, and resumes it', async () => {
    await service?.stop();
    service = undefined;
    await lab.lab.reset();
    const url = await postgres.url('held');
    proxy = await startCuttingProxy(postgres.port);
    service = await startService({
      DATABASE_URL: url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      LAB_NAME: LAB.name,
      LAB_BASE_PORT: String(LAB.basePort),
    });
    // Said when a drill parks at a step boundary, or when its job finds the log away before it starts.
    const parkedLines = () => service!.output().split("the audit log's database is unavailable").length - 1;
    const parkedOnceMore = async (before: number, why: string) =>
      waitFor(async () => (parkedLines() > before ? satisfied(undefined) : pending(`parked ${parkedLines()} time(s)`)), {
        description: `the drill to park: ${why}`,
        timeoutMs: 60_000,
        intervalMs: 100,
      });

    const accepted = await post(service.base, '/drills', { scenario: 'group-failover' });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await pastItsKill(service.base, id);

    // The server's host hangs: nothing comes back on the connections, and nothing is closed.
    proxy.silence();
    await parkedOnceMore(0, 'its append met a silent server');
    expect(service.output()).toContain(`PostgreSQL sent nothing for ${silenceLimitMs(STATEMENT_TIMEOUT_MS)} ms`);
    proxy.mend();
    // Another instance took the log's lock and hung: appends give up after the statement timeout.
    const beforeHung = parkedLines();
    const hung = new pg.Client({ connectionString: url });
    await hung.connect();
    try {
      await hung.query('BEGIN');
      await hung.query('SELECT position FROM log_high_water FOR UPDATE');
      await parkedOnceMore(beforeHung, 'its append timed out behind the lock');
      await hung.query('ROLLBACK');
    } finally {
      await hung.end();
    }
    // The network drops every connection without a word from the server, and refuses new ones for a while.
    const beforeCut = parkedLines();
    proxy.cut();
    await parkedOnceMore(beforeCut, 'its connection was cut');
    proxy.mend();

    const ofType = await finishedFromItsEvents(service.base, id);
    expect(ofType('DrillFailed')).toHaveLength(0);
    // Each park's log line quoted the driver's failure: none of them held the database's password.
    expect(service.output()).not.toContain(postgres.password);
    await expectGroupBHealthy(lab);
  });
});
