import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { GROUP_FAILOVER_STEPS, type StepName } from '../src/drills/scenarios.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { drillEnded } from './support/drill-outcome.js';
import { freeLab } from './support/free-ports.js';
import { fetchAs, getDrill, post, startService, type RunningService } from './support/service.js';
import { drillKilledAt } from './support/doomed-service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('rdtest-queueloss');

/** How the queue's Redis loses its data: emptied in place, or emptied and restarted (every connection dropped). */
type Loss = 'flushall' | 'restart';

/** Where the service dies (inside each step, then at the boundary before each), and how the queue's Redis then loses its jobs. */
const DOWN_CASES: [StepName, string, Loss][] = [
  ['prepare', 'prepare:after-canaries', 'restart'],
  ['kill', 'kill:after-signals', 'flushall'],
  ['takeover', 'takeover:after-promotions', 'restart'],
  ['forget', 'forget:before-forget', 'flushall'],
  ['meet', 'meet:after-meets', 'restart'],
  ['replicate', 'replicate:after-replicate', 'flushall'],
  ['verify', 'verify:after-canaries', 'restart'],
  // At the boundary before each step after prepare: its start is on record, nothing of it is done.
  ...(['kill', 'takeover', 'forget', 'meet', 'replicate', 'verify'] as const).map((step, index): [StepName, string, Loss] => [
    step,
    `${step}:started`,
    index % 2 === 0 ? 'flushall' : 'restart',
  ]),
];

interface Row {
  type: string;
  data: string;
}

describe('a drill whose queue Redis loses its data', () => {
  let lab: TestLab;
  let directory: string;
  let queue: Redis;
  const env = () => ({
    DATABASE_PATH: join(directory, 'drills.sqlite'),
    LAB_NAME: LAB.name,
    LAB_BASE_PORT: String(LAB.basePort),
    WORKER_LEASE_MS: '2000',
    RECONCILE_INTERVAL_MS: '500',
  });
  const events = (drillId: string): Row[] => streamEvents(join(directory, 'drills.sqlite'), drillId);
  const of = (rows: Row[], type: string) =>
    rows.filter((row) => row.type === type).map((row) => JSON.parse(row.data) as Record<string, unknown>);

  async function loseQueue(loss: Loss): Promise<void> {
    await queue.flushall();
    if (loss === 'restart') {
      await lab.docker.getContainer(`${LAB.name}-queue`).restart({ t: 0 });
      await waitFor(async () => ((await queue.ping().catch(() => 'down')) === 'PONG' ? satisfied(undefined) : pending('down')), {
        description: "the queue's Redis to answer again",
        timeoutMs: 20_000,
        intervalMs: 50,
      });
    }
    expect(await queue.dbsize()).toBe(0);
  }

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
    await expectAuditChainIntact(join(directory, 'drills.sqlite'));
  }

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-queueloss-'));
    queue = new Redis({ host: '127.0.0.1', port: LAB.basePort, maxRetriesPerRequest: 1, lazyConnect: true });
    queue.on('error', () => undefined);
  });

  afterAll(async () => {
    queue?.disconnect();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(DOWN_CASES)(
    'SIGKILLed in %s (at %s), queue lost by %s while down: the next start resumes it from the log',
    async (step, point, loss) => {
      await lab.lab.reset();
      const id = await drillKilledAt(env(), point);
      await loseQueue(loss);

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

  it.each<[StepName, Loss]>([
    ['prepare', 'flushall'],
    ['meet', 'restart'],
    ['verify', 'flushall'],
  ])('queue lost by %2$s while the service runs, during %1$s: the drill finishes, and only one runs', async (step, loss) => {
    await lab.lab.reset();
    const service = await startService(env());
    try {
      const { id } = (await (await post(service.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string };
      const watch = watchRunning(service.base);
      await waitFor(
        async () => {
          const drill = await getDrill(service.base, id);
          return drill.steps.find((candidate) => candidate.name === step)?.status === 'running'
            ? satisfied(undefined)
            : pending(drill.status);
        },
        { description: `the ${step} step to start`, timeoutMs: 60_000, intervalMs: 2 },
      );
      await loseQueue(loss);
      // A drill asked for meanwhile is refused with the unfinished drill's id: the log knows who holds the target.
      const refused = await post(service.base, '/drills', { scenario: 'group-failover' });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { runningDrillId: string }).runningDrillId).toBe(id);
      await drillEnded(service.base, id, 'succeeded');
      expect(await watch.stop()).toBeLessThanOrEqual(1);
      expect(await runningNow(service.base)).toBe(0);
      await expectFinishedOnce(id);
    } finally {
      await service.stop();
    }
  });

  it('refuses a drill requested while the log holds an unfinished one, even with the queue empty, and finishes the first', async () => {
    await lab.lab.reset();
    const id = await drillKilledAt(env(), 'meet:after-meets');
    await loseQueue('flushall');
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
  });
});
