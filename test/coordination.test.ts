import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import type { DrillListDto } from '../src/drills/drill-list.dto.js';
import type { ScheduleDto } from '../src/schedules/schedule.dto.js';
import { drillFinished, fetchAs, post, startService, type RunningService } from './support/service.js';
import { freeLab } from './support/free-ports.js';
import { QUEUE_BACKENDS, useQueueStore } from './support/queue-stores.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { drillEnded, expectDrillEndedOverApi } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-coord');

/** Schedules refused with 400, and the reason each answer names. */
const BAD_SCHEDULES: [Record<string, unknown>, string][] = [
  [{ name: 'bad-cron', cron: 'every night', scenario: 'group-failover' }, 'cron "every night" is not a valid pattern'],
  [
    { name: 'too-often', cron: '* * * * * *', scenario: 'group-failover' },
    'fires 1000 ms apart, more often than the allowed minimum of 1500 ms',
  ],
  [{ name: 'bad-tz', cron: '0 3 * * *', tz: 'Mars/Olympus', scenario: 'group-failover' }, 'tz "Mars/Olympus" is not an IANA time zone'],
  [{ name: 'nowhere', cron: '0 3 * * *', target: 'prod', scenario: 'group-failover' }, 'target: unknown target "prod"'],
  [{ name: 'both', cron: '0 3 * * *', everyMs: 60_000, scenario: 'group-failover' }, 'give either cron or everyMs, not both or neither'],
  [{ name: 'neither', scenario: 'group-failover' }, 'give either cron or everyMs, not both or neither'],
  [{ name: 'tiny', everyMs: 10, scenario: 'group-failover' }, 'everyMs must not be less than 1000'],
];

let lab: TestLab;
/** Whether the lab is still as formed, before any backend's drills. */
let labFresh = true;

beforeAll(async () => {
  lab = await startTestLab(LAB, { form: true });
});

afterAll(async () => {
  await lab?.close();
});

describe.each(QUEUE_BACKENDS)('two service instances sharing one queue on %s and one audit log', (backend) => {
  const setup = useQueueStore(backend, () => lab, 'coord');
  let first: RunningService;
  let second: RunningService;
  const env = () => ({
    DATABASE_PATH: join(setup.directory, 'drills.sqlite'),
    LAB_NAME: LAB.name,
    LAB_BASE_PORT: String(LAB.basePort),
    WORKER_LEASE_MS: '3000',
    SCHEDULE_MIN_INTERVAL_MS: '1500',
    ...setup.store.env,
  });
  const json = async <T>(response: Response | Promise<Response>): Promise<T> => (await (await response).json()) as T;
  const events = async (base: string, id: string) =>
    (await json<{ items: { type: string; occurredAt: string; data: unknown }[] }>(fetchAs(`${base}/drills/${id}/events?limit=1000`))).items;

  beforeAll(async () => {
    if (!labFresh) {
      await setup.store.resetLab();
    }
    labFresh = false;
    [first, second] = await Promise.all([startService(env()), startService(env())]);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('refuse a second drill on a busy target from either instance, naming the running one, and run the first exactly once', async () => {
    const accepted = await post(first.base, '/drills', { scenario: 'group-failover' });
    expect(accepted.status).toBe(202);
    const { id } = await json<{ id: string }>(accepted);
    const refused = await post(second.base, '/drills', { scenario: 'group-failover' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      statusCode: 409,
      runningDrillId: id,
      message: expect.stringContaining(`busy with drill ${id}`),
    });

    await drillEnded(second.base, id, 'succeeded');
    const types = (await events(first.base, id)).map((event) => event.type);
    expect(types.filter((type) => type === 'DrillStarted')).toHaveLength(1);
    expect(types.filter((type) => type === 'LeaseAcquired')).toHaveLength(1);

    // The target is free again once the drill has finished.
    const next = await post(second.base, '/drills', { scenario: 'group-failover' });
    expect(next.status).toBe(202);
    // Group B serves now, so the next drill fails over the other way, back to A.
    const after = await drillFinished(first.base, (await json<{ id: string }>(next)).id);
    await expectDrillEndedOverApi(first.base, after, 'succeeded');
    expect((await events(first.base, after.id)).find((event) => event.type === 'TopologyRecorded')?.data).toMatchObject({
      from: 'B',
      to: 'A',
    });
  });

  it('queue a drill behind a running one when the request asks to wait', async () => {
    await lab.lab.reset();
    const { id: running } = await json<{ id: string }>(post(first.base, '/drills', { scenario: 'group-failover' }));
    const waiting = await post(second.base, '/drills', { scenario: 'group-failover', waitForTarget: true });
    expect(waiting.status).toBe(202);
    const { id: queued } = await json<{ id: string }>(waiting);
    const done = await drillFinished(first.base, running);
    const behind = await drillFinished(first.base, queued);
    await expectDrillEndedOverApi(first.base, done, 'succeeded');
    // It started only after the first had finished, so it found B serving and failed over back to A.
    expect(Date.parse(behind.startedAt!)).toBeGreaterThanOrEqual(Date.parse(done.finishedAt!));
    await expectDrillEndedOverApi(first.base, behind, 'succeeded');
    expect((await events(first.base, queued)).find((event) => event.type === 'TopologyRecorded')?.data).toMatchObject({
      from: 'B',
      to: 'A',
    });
  });

  describe('schedules', () => {
    const queue = () => setup.store.probe();

    it('are created with their next runs, fire drills marked as scheduled, pause, and are deleted', async () => {
      const created = await post(first.base, '/schedules', { name: 'every-1.5s', everyMs: 1500, scenario: 'group-failover' });
      expect(created.status).toBe(201);
      const schedule = await json<ScheduleDto>(created);
      expect(schedule).toMatchObject({ name: 'every-1.5s', everyMs: 1500, tz: 'UTC', target: 'lab', enabled: true, options: {} });
      expect(schedule.nextRuns).toHaveLength(3);
      expect(Date.parse(schedule.nextRuns[1]!) - Date.parse(schedule.nextRuns[0]!)).toBe(1500);

      const fired = await waitFor(
        async () => {
          const { items } = await json<DrillListDto>(fetchAs(`${second.base}/drills?limit=200`));
          const scheduled = items.find((item) => item.trigger === 'schedule');
          return scheduled ? satisfied(scheduled) : pending('no scheduled drill yet');
        },
        { description: 'the schedule to fire a drill', timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(fired.scheduleId).toBe(schedule.id);
      const { items: events } = await json<{ items: { type: string; actor: string }[] }>(
        fetchAs(`${second.base}/drills/${fired.id}/events?limit=1`),
      );
      expect(events[0]).toMatchObject({ type: 'DrillRequested', actor: `schedule:${schedule.id}` });

      const paused = await json<ScheduleDto>(
        fetchAs(`${first.base}/schedules/${schedule.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: '{"enabled":false}',
        }),
      );
      expect(paused).toMatchObject({ enabled: false, nextRuns: [] });
      const probe = queue();
      try {
        expect(await probe.getJobScheduler(schedule.id)).toBeUndefined();
      } finally {
        await probe.close();
      }

      expect((await fetchAs(`${second.base}/schedules/${schedule.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetchAs(`${first.base}/schedules/${schedule.id}`)).status).toBe(404);
      expect((await fetchAs(`${first.base}/schedules/${schedule.id}`, { method: 'DELETE' })).status).toBe(404);

      // Each change is in the audit log with who made it, read from either instance, newest first.
      const changes = await json<{ type: string; actor: string; changed?: string[]; definition?: { enabled: boolean } }[]>(
        fetchAs(`${first.base}/schedules/changes?scheduleId=${schedule.id}`, {}, 'viewer'),
      );
      expect(changes.map(({ type, actor }) => [type, actor])).toEqual([
        ['ScheduleDeleted', 'admin-token'],
        ['ScheduleChanged', 'admin-token'],
        ['ScheduleCreated', 'operator-token'],
      ]);
      expect(changes[1]).toMatchObject({ changed: ['enabled'], definition: { enabled: false } });
      expect(changes[2]).toMatchObject({ definition: { everyMs: 1500, cron: null, tz: 'UTC', target: 'lab', enabled: true } });
    });

    // Refused before anything reaches the queue: on Redis only.
    it.each(backend === 'redis' ? BAD_SCHEDULES : [])('refuse %j with 400 and the reason, and store nothing', async (body, message) => {
      const response = await post(first.base, '/schedules', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toContain(message);
      expect((await json<ScheduleDto[]>(fetchAs(`${first.base}/schedules`))).map((schedule) => schedule.name)).not.toContain(body.name);
    });

    it('keep their definition when the queue loses the scheduler, and get it back at the next boot', async () => {
      const schedule = await json<ScheduleDto>(
        post(first.base, '/schedules', { name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Paris', scenario: 'group-failover' }),
      );
      expect((await post(first.base, '/schedules', { name: 'nightly', cron: '0 4 * * *', scenario: 'group-failover' })).status).toBe(409);
      const probe = queue();
      try {
        await probe.removeJobScheduler(schedule.id);
        expect(await probe.getJobScheduler(schedule.id)).toBeUndefined();
        const listed = await json<ScheduleDto[]>(fetchAs(`${second.base}/schedules`));
        expect(listed.find((candidate) => candidate.id === schedule.id)).toMatchObject({
          name: 'nightly',
          cron: '0 3 * * *',
          enabled: true,
        });
        expect(listed.find((candidate) => candidate.id === schedule.id)!.nextRuns[0]).toMatch(/T02:00:00.000Z$/);

        await first.stop();
        first = await startService(env());
        expect(await probe.getJobScheduler(schedule.id)).toMatchObject({ key: schedule.id, pattern: '0 3 * * *', tz: 'Europe/Paris' });
      } finally {
        await probe.close();
      }
    });
  });
});
