import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { GROUP_FAILOVER_STEPS } from '../src/drills/scenarios.js';
import { queueSchemaName } from '../src/queue/queue-backend.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { drillEnded } from './support/drill-outcome.js';
import { freeLab } from './support/free-ports.js';
import { queryPostgres, startTestPostgres, type TestPostgres } from './support/postgres.js';
import { fetchAs, post, startService } from './support/service.js';
import { drillKilledAt, resumedAndFinished } from './support/doomed-service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('pg-queue');
const SCHEMA = queueSchemaName('redis-drill');

/**
 * The queue-level scenarios that touch what the backend stores (jobs, job schedulers, target
 * leases, a queue that loses its data) with `QUEUE_BACKEND=postgres`. The lab's queue Redis is
 * stopped first, so that anything still reaching for it fails.
 */
describe('the queue on PostgreSQL', () => {
  let lab: TestLab;
  let postgres: TestPostgres;
  let queueUrl: string;
  let directory: string;
  const env = () => ({
    DATABASE_PATH: join(directory, 'drills.sqlite'),
    QUEUE_BACKEND: 'postgres',
    QUEUE_DATABASE_URL: queueUrl,
    LAB_NAME: LAB.name,
    LAB_BASE_PORT: String(LAB.basePort),
    WORKER_LEASE_MS: '3000',
    RECONCILE_INTERVAL_MS: '500',
    SCHEDULE_MIN_INTERVAL_MS: '1000',
  });
  const events = (drillId: string) => streamEvents(join(directory, 'drills.sqlite'), drillId);
  const steps = (drillId: string, type: string) =>
    events(drillId)
      .filter((row) => row.type === type)
      .map((row) => (JSON.parse(row.data) as { step: string }).step);

  const sql = <T extends pg.QueryResultRow>(statement: string): Promise<T[]> => queryPostgres<T>(queueUrl, statement);

  /** The lab rebuilt, and its queue Redis, which the rebuild starts, stopped again. */
  async function resetLab(): Promise<void> {
    await lab.lab.reset();
    await lab.docker.getContainer(`${LAB.name}-queue`).stop({ t: 0 });
  }

  async function expectFinishedOnce(id: string): Promise<void> {
    expect(steps(id, 'StepSucceeded')).toEqual([...GROUP_FAILOVER_STEPS]);
    await expectGroupBHealthy(lab);
    await expectAuditChainIntact(join(directory, 'drills.sqlite'));
  }

  beforeAll(async () => {
    [lab, postgres] = await Promise.all([startTestLab(LAB, { form: true }), startTestPostgres('pg-queue')]);
    queueUrl = await postgres.url('queue');
    directory = mkdtempSync(join(tmpdir(), 'pg-queue-'));
    await lab.docker.getContainer(`${LAB.name}-queue`).stop({ t: 0 });
  });

  afterAll(async () => {
    await lab?.close();
    await postgres?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs a drill requested over HTTP to success, its job and its lease in PostgreSQL, and says so in /api/health', async () => {
    await resetLab();
    const service = await startService(env());
    try {
      const health = (await (await fetch(`${service.base}/health`)).json()) as { info: { queue: Record<string, unknown> } };
      expect(health.info.queue).toMatchObject({ status: 'up', backend: 'postgres', durable: true });
      const answer = await post(service.base, '/drills', { scenario: 'group-failover' });
      expect(answer.status).toBe(202);
      const { id } = (await answer.json()) as { id: string };
      await drillEnded(service.base, id, 'succeeded');
      await expectFinishedOnce(id);
      expect(await sql(`SELECT state::text FROM "${SCHEMA}".job WHERE id = '${id}'`)).toEqual([{ state: 'completed' }]);
      expect(await sql(`SELECT fence::int FROM "${SCHEMA}".target_fence WHERE target = 'lab'`)).toEqual([{ fence: 1 }]);
      expect(service.output()).not.toContain(postgres.password);
      // Bull Board reads the same queue.
      const board = await fetchAs(`${service.base}/queues/api/queues?activeQueue=drills&status=completed`);
      expect(board.status).toBe(200);
      expect(JSON.stringify(await board.json())).toContain(id);
    } finally {
      await service.stop();
    }
  });

  it('resumes a drill whose service was SIGKILLed mid-step on the next start', async () => {
    await resetLab();
    const id = await drillKilledAt(env(), 'kill:after-signals');
    await resumedAndFinished(env(), id, 'kill', { finishedOnce: expectFinishedOnce });
  });

  it("finishes a drill from the log when the queue's tables were dropped while the service was down", async () => {
    await resetLab();
    const id = await drillKilledAt(env(), 'meet:after-meets');
    await sql(`DROP SCHEMA "${SCHEMA}" CASCADE`);
    await resumedAndFinished(env(), id, 'meet', {
      finishedOnce: expectFinishedOnce,
      watch: (restarted) => async () =>
        expect(restarted.output()).toContain(`drill ${id} (running on lab) had no job in the queue: queued again to resume it`),
    });
  });

  it("fires a schedule through BullMQ's job scheduler in PostgreSQL", async () => {
    await resetLab();
    const service = await startService(env());
    try {
      const created = await post(service.base, '/schedules', { name: 'pg-every-second', everyMs: 1000, scenario: 'group-failover' });
      expect(created.status).toBe(201);
      const { id: scheduleId } = (await created.json()) as { id: string };
      const fired = await waitFor(
        async () => {
          const page = (await (await fetchAs(`${service.base}/drills`)).json()) as {
            items: { id: string; trigger: string; requestedAt: string }[];
          };
          // The first firing; later ones find the target busy.
          const [first] = page.items
            .filter((drill) => drill.trigger === 'schedule')
            .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
          return first ? satisfied(first.id) : pending('no scheduled drill yet');
        },
        { description: 'the schedule to fire', timeoutMs: 30_000, intervalMs: 100 },
      );
      await fetchAs(`${service.base}/schedules/${scheduleId}`, { method: 'DELETE' });
      await drillEnded(service.base, fired, 'succeeded');
      expect(await sql(`SELECT count(*)::int AS n FROM "${SCHEMA}".scheduler`)).toEqual([{ n: 0 }]);
    } finally {
      await service.stop();
    }
  });
});
