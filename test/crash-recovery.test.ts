import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { GROUP_FAILOVER_STEPS, type StepName } from '../src/drills/scenarios.js';
import { failoverLayout } from '../src/targets/drill-target.js';
import { drillFinished, getDrill, post, startService } from './support/service.js';
import { freeLab } from './support/free-ports.js';
import { drillKilledAt } from './support/doomed-service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { QUEUE_BACKENDS, useQueueStore } from './support/queue-stores.js';
import { drillEnded, expectDrillEndedOverApi } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-crash');

/** One point inside each step where the service dies, after the step has done part of its work. */
const CRASH_POINTS: [StepName, string][] = [
  ['prepare', 'prepare:after-canaries'],
  ['kill', 'kill:after-signals'],
  ['takeover', 'takeover:after-promotions'],
  ['forget', 'forget:before-forget'],
  ['meet', 'meet:after-meets'],
  ['replicate', 'replicate:after-replicate'],
  ['verify', 'verify:after-canaries'],
];

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

const serviceEnv = (directory: string) => ({
  DATABASE_PATH: join(directory, 'drills.sqlite'),
  LAB_NAME: LAB.name,
  LAB_BASE_PORT: String(LAB.basePort),
  // A dead worker's job and target are taken over after at most this long.
  WORKER_LEASE_MS: '3000',
});

/**
 * On Redis. After a SIGKILL the drill's job is taken up again by BullMQ's stalled-job check and the
 * runner resumes the drill from its events; on PostgreSQL `test/postgres-queue.test.ts` proves the
 * stalled job taken up again (a SIGKILL in `kill`), and the resumption is the runner's alone.
 */
describe('a drill whose service dies in the middle of it', () => {
  let directory: string;
  const env = () => serviceEnv(directory);
  const events = (drillId: string): Row[] => streamEvents(join(directory, 'drills.sqlite'), drillId);
  const startedAt = async (container: string) => (await lab.docker.getContainer(container).inspect()).State.StartedAt;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-crash-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(CRASH_POINTS)('SIGKILLed during %s (at %s), it is resumed by the restarted service and finishes', async (step, point) => {
    await lab.lab.reset();
    const layout = failoverLayout(lab.target, 'A');
    const standbyStarts = await Promise.all([...layout.standbys, ...layout.spares].map((node) => startedAt(node.containerName)));

    const id = await drillKilledAt(env(), point);
    // The step had started and not finished; it may have put some of its own events on record.
    const lastLifecycle = events(id)
      .filter((row) => row.type.startsWith('Step'))
      .at(-1)!;
    expect(lastLifecycle.type).toBe('StepStarted');
    expect(JSON.parse(lastLifecycle.data)).toEqual({ step });

    const restarted = await startService(env());
    try {
      const drill = await drillFinished(restarted.base, id);
      expect(drill.error).toBeUndefined();
      await expectDrillEndedOverApi(restarted.base, drill, 'succeeded');
    } finally {
      await restarted.stop();
    }

    const rows = events(id);
    const of = (type: string) => rows.filter((row) => row.type === type).map((row) => JSON.parse(row.data) as Record<string, unknown>);
    // Each step started once and succeeded once; the step that was cut short resumed once.
    expect(of('StepStarted').map((data) => data.step)).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(of('StepSucceeded').map((data) => data.step)).toEqual([...GROUP_FAILOVER_STEPS]);
    expect(of('StepResumed').map((data) => data.step)).toEqual([step]);
    expect(of('DrillResumed')).toHaveLength(1);
    // Nothing was killed twice: six kills recorded once each, and after a crash past the signals the
    // resumed step found them already stopped rather than killing them again.
    const kills = of('NodeKilled');
    expect(kills.map((data) => data.node).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(kills.every((data) => data.alreadyStopped === (step === 'kill'))).toBe(true);
    for (const type of ['TopologyRecorded', 'CanariesWritten', 'ClusterServing', 'ClusterRedundant', 'HealthGatePassed']) {
      expect(of(type), type).toHaveLength(1);
    }
    // Group B was never restarted, and it passes the health gate.
    expect(await Promise.all([...layout.standbys, ...layout.spares].map((node) => startedAt(node.containerName)))).toEqual(standbyStarts);
    await expectGroupBHealthy(lab);
    await expectAuditChainIntact(join(directory, 'drills.sqlite'));
  });
});

/** A stopping worker hands its drill's job back to the queue: that goes through the backend, so on both. */
describe.each(QUEUE_BACKENDS)('a drill whose service is stopped, with the queue on %s', (backend) => {
  const setup = useQueueStore(backend, () => lab, 'crash');
  const env = () => ({ ...serviceEnv(setup.directory), ...setup.store.env });
  const events = (drillId: string): Row[] => streamEvents(join(setup.directory, 'drills.sqlite'), drillId);

  it('on SIGTERM, parks the drill at the next step boundary and exits; the next start finishes it', async () => {
    await setup.store.resetLab();
    const stopping = await startService(env());
    const { id } = (await (await post(stopping.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string };
    await waitFor(
      async () => {
        const drill = await getDrill(stopping.base, id);
        return drill.steps.find((candidate) => candidate.name === 'meet')?.status === 'running'
          ? satisfied(undefined)
          : pending(drill.status);
      },
      { description: 'the meet step to start', timeoutMs: 60_000, intervalMs: 2 },
    );
    stopping.process.kill('SIGTERM');
    await stopping.exited;
    expect(stopping.process.signalCode).toBe('SIGTERM');
    const atExit = events(id).at(-1)!;
    expect(atExit.type).toBe('StepSucceeded');
    expect(JSON.parse(atExit.data)).toMatchObject({ step: 'meet' });

    const restarted = await startService(env());
    try {
      await drillEnded(restarted.base, id, 'succeeded');
      // Its own job, handed back at the exit, ran it: the reconciler found no drill without one.
      expect(restarted.output()).not.toContain('had no job in the queue');
    } finally {
      await restarted.stop();
    }
    const types = events(id).map((row) => row.type);
    expect(types.filter((type) => type === 'DrillResumed')).toHaveLength(1);
    expect(types.filter((type) => type === 'StepResumed')).toHaveLength(0);
  });
});
