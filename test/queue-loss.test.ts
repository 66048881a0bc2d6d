import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import type { QueueBackendName } from '../src/config/app-config.js';
import { GROUP_FAILOVER_STEPS, type StepName } from '../src/drills/scenarios.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { drillEnded, expectDrillEndedOverApi } from './support/drill-outcome.js';
import { freeLab } from './support/free-ports.js';
import { QUEUE_BACKENDS, useQueueStore, type QueueLoss } from './support/queue-stores.js';
import { fetchAs, getDrill, post, startService, type RunningService } from './support/service.js';
import { drillKilledAt } from './support/doomed-service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('rdtest-queueloss');

/** Where the service dies (inside each step, then at the boundary before each), and how the queue's Redis then loses its jobs. */
const DOWN_CASES: [StepName, string, QueueLoss][] = [
  ['prepare', 'prepare:after-canaries', 'restart'],
  ['kill', 'kill:after-signals', 'in-place'],
  ['takeover', 'takeover:after-promotions', 'restart'],
  ['forget', 'forget:before-forget', 'in-place'],
  ['meet', 'meet:after-meets', 'restart'],
  ['replicate', 'replicate:after-replicate', 'in-place'],
  ['verify', 'verify:after-canaries', 'restart'],
  // At the boundary before each step after prepare: its start is on record, nothing of it is done.
  ...(['kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'] as const).map((step, index): [StepName, string, QueueLoss] => [
    step,
    `${step}:started`,
    index % 2 === 0 ? 'in-place' : 'restart',
  ]),
];

/**
 * What each backend runs. With the service down, the runner resumes the drill from the log
 * whatever the backend, and all the backend adds is the reconciler's new job:
 * `test/postgres-queue.test.ts` proves that on PostgreSQL (the schema dropped while the service is
 * down in `meet`), so the thirteen down cases run on Redis only, as does the refusal by an
 * API-only instance (the log refuses, and the booting service migrates the schema again). The
 * running cases take the store away under the worker's job and lease, and run on both.
 */
const CASES: Record<QueueBackendName, { down: [StepName, string, QueueLoss][]; running: [StepName, QueueLoss][] }> = {
  redis: {
    down: DOWN_CASES,
    running: [
      ['prepare', 'in-place'],
      ['meet', 'restart'],
      ['verify', 'in-place'],
    ],
  },
  postgres: {
    down: [],
    running: [
      ['prepare', 'restart'],
      ['meet', 'in-place'],
    ],
  },
};

interface Row {
  type: string;
  data: string;
}

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab(LAB, { form: true });
});

afterAll(async () => {
  await lab?.close();
});

describe.each(QUEUE_BACKENDS)('a drill whose queue on %s loses its data', (backend) => {
  const setup = useQueueStore(backend, () => lab, 'queueloss');
  const env = () => ({
    DATABASE_PATH: join(setup.directory, 'drills.sqlite'),
    LAB_NAME: LAB.name,
    LAB_BASE_PORT: String(LAB.basePort),
    WORKER_LEASE_MS: '3000',
    RECONCILE_INTERVAL_MS: '500',
    ...setup.store.env,
  });
  const events = (drillId: string): Row[] => streamEvents(join(setup.directory, 'drills.sqlite'), drillId);
  const of = (rows: Row[], type: string) =>
    rows.filter((row) => row.type === type).map((row) => JSON.parse(row.data) as Record<string, unknown>);

  /** Drills the API lists as running on the lab now. */
  async function runningNow(base: string): Promise<number> {
    const page = (await (await fetchAs(`${base}/drills?status=running&target=lab`)).json()) as { items: unknown[] };
    return page.items.length;
  }

  /** Looks at the history every 50 ms until stopped; answers the most drills it ever saw running at once. */
  function watchRunning(base: string): { stop(): Promise<number> } {
    let most = 0;
    let watching = true;
    const looking = (async () => {
      while (watching) {
        most = Math.max(most, await runningNow(base).catch(() => 0));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    return {
      stop: async () => {
        watching = false;
        await looking;
        return most;
      },
    };
  }

  /** Every step started once and succeeded once, nothing was killed twice, B passes the health gate, the chain verifies. */
  async function expectFinishedOnce(id: string): Promise<void> {
    const rows = events(id);
    expect(of(rows, 'StepStarted').map((data) => data.step)).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(of(rows, 'StepSucceeded').map((data) => data.step)).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(
      of(rows, 'NodeKilled')
        .map((data) => data.node)
        .sort(),
    ).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    await expectGroupBHealthy(lab);
    await expectAuditChainIntact(join(setup.directory, 'drills.sqlite'));
  }

  it.each(CASES[backend].down)(
    'SIGKILLed in %s (at %s), queue lost %s while down: the next start resumes it from the log',
    async (step, point, loss) => {
      await setup.store.resetLab();
      const id = await drillKilledAt(env(), point);
      await setup.store.lose(loss);

      const restarted = await startService(env());
      try {
        const watch = watchRunning(restarted.base);
        await drillEnded(restarted.base, id, 'succeeded');
        expect(await watch.stop()).toBeLessThanOrEqual(1);
        expect(await runningNow(restarted.base)).toBe(0);
      } finally {
        await restarted.stop();
      }
      expect(of(events(id), 'StepResumed').map((data) => data.step)).toEqual([step]);
      await expectFinishedOnce(id);
    },
  );

  it.each(CASES[backend].running)(
    'queue lost while the service runs, during %s (%s): the drill finishes, and only one runs',
    async (step, loss) => {
      await setup.store.resetLab();
      const service = await startService(env());
      try {
        const requested = await post(service.base, '/drills', { scenario: 'group-failover' });
        expect(requested.status, await requested.clone().text()).toBe(202);
        const { id } = (await requested.json()) as { id: string };
        const watch = watchRunning(service.base);
        const endedEarly = await waitFor(
          async () => {
            const drill = await getDrill(service.base, id);
            if (drill.status !== 'queued' && drill.status !== 'running') {
              return satisfied(drill);
            }
            return drill.steps.find((candidate) => candidate.name === step)?.status === 'running'
              ? satisfied(undefined)
              : pending(drill.status);
          },
          { description: `the ${step} step to start`, timeoutMs: 60_000, intervalMs: 2 },
        );
        if (endedEarly) {
          // Ended before the step the test waits for: fails, printing the drill's events.
          await expectDrillEndedOverApi(service.base, endedEarly, 'running');
        }
        await setup.store.lose(loss);
        // A drill asked for meanwhile is refused with the unfinished drill's id: the log knows who holds the target.
        const refused = await post(service.base, '/drills', { scenario: 'group-failover' });
        expect(refused.status).toBe(409);
        expect(((await refused.json()) as { runningDrillId: string }).runningDrillId).toBe(id);
        await drillEnded(service.base, id, 'succeeded');
        expect(await watch.stop()).toBeLessThanOrEqual(1);
        expect(await runningNow(service.base)).toBe(0);
        await expectFinishedOnce(id);
        if (backend === 'postgres') {
          // BullMQ migrates only when it connects: without the reconciler, no job command would work again until a restart.
          expect(service.output()).toContain("the queue's schema was gone: made it again");
        }
      } finally {
        await service.stop();
      }
    },
  );

  it.runIf(backend === 'redis')(
    'refuses a drill requested while the log holds an unfinished one, even with the queue empty, and finishes the first',
    async () => {
      await setup.store.resetLab();
      const id = await drillKilledAt(env(), 'meet:after-meets');
      await setup.store.lose('in-place');
      const apiOnly = await startService({ ...env(), WORKER_ENABLED: 'false' });
      let worker: RunningService | undefined;
      try {
        const refused = await post(apiOnly.base, '/drills', { scenario: 'group-failover' });
        expect(refused.status).toBe(409);
        expect(((await refused.json()) as { runningDrillId: string }).runningDrillId).toBe(id);
        const waiting = await post(apiOnly.base, '/drills', { scenario: 'group-failover', waitForTarget: true });
        expect(waiting.status).toBe(202);
        const { id: behind } = (await waiting.json()) as { id: string };

        worker = await startService(env());
        await drillEnded(worker.base, id, 'succeeded');
        // The one that waited ran after it, from B back to A.
        const second = await drillEnded(worker.base, behind, 'succeeded');
        expect(Date.parse(second.startedAt!)).toBeGreaterThanOrEqual(Date.parse((await getDrill(worker.base, id)).finishedAt!));
        expect(of(events(behind), 'TopologyRecorded')[0]).toMatchObject({ from: 'B', to: 'A' });
      } finally {
        await worker?.stop();
        await apiOnly.stop();
      }
    },
  );
});
