import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DrillEvent } from './drill-events.js';
import { foldDrill } from './drill-state.js';
import { DrillNotFoundError } from './drill-stream.js';
import { DrillHistory } from './drill-history.service.js';
import { DrillSummaryRepository } from './drill-summary.repository.js';
import { DrillEventRepository } from '../events/drill-event.repository.js';
import { drillId, fakeDrillStore } from './testing/fake-drills.js';

const VALKEY = [{ server: 'valkey', version: '8.1.1', nodes: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'] }];

describe('DrillHistory', () => {
  let drills: Awaited<ReturnType<typeof fakeDrillStore>>;
  let history: DrillHistory;

  beforeEach(async () => {
    drills = await fakeDrillStore();
    history = new DrillHistory(new DrillSummaryRepository(drills.dataSource), new DrillEventRepository(drills.dataSource));
    await drills.run({ id: drillId(1) });
    await drills.run({ id: drillId(2), failAt: 'takeover' });
    await drills.run({ id: drillId(3), target: 'staging', servers: VALKEY });
    await drills.run({ id: drillId(4), trigger: 'schedule' });
    await drills.run({ id: drillId(5), queuedOnly: true });
  });

  afterEach(async () => {
    await drills.close();
  });

  describe('list', () => {
    it('lists newest first with headline timings', async () => {
      const { items, nextCursor } = await history.list({});
      expect(items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1].map(drillId));
      expect(nextCursor).toBeUndefined();
      expect(items[4]).toEqual({
        id: drillId(1),
        target: 'lab',
        scenario: 'group-failover',
        trigger: 'manual',
        status: 'succeeded',
        requestedAt: '2026-11-25T12:00:00.000Z',
        startedAt: '2026-11-25T12:00:00.000Z',
        finishedAt: '2026-11-25T12:00:00.070Z',
        totalMs: expect.any(Number),
        killToServingMs: 50,
      });
      expect(items[3]).toMatchObject({ status: 'failed', error: 'takeover failed: takeover broke' });
      expect(items[2]).toMatchObject({ target: 'staging', servers: VALKEY });
      expect(items[0]).toEqual({
        id: drillId(5),
        target: 'lab',
        scenario: 'group-failover',
        trigger: 'manual',
        status: 'queued',
        requestedAt: expect.any(String),
      });
    });

    it.each([
      [{ status: 'failed' as const }, [2]],
      [{ target: 'staging' }, [3]],
      [{ scenario: 'group-failover' as const, status: 'succeeded' as const }, [4, 3, 1]],
      [{ from: '2026-11-25T12:00:01.000Z', to: '2026-11-25T12:00:02.140Z' }, [3, 2]],
      [{ to: '2026-11-25T12:00:00.000Z' }, [1]],
    ])('filters by %j', async (query, ids) => {
      expect((await history.list(query)).items.map((item) => item.id)).toEqual(ids.map(drillId));
    });

    it('pages with a cursor until the last page, which has none', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await history.list({ limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([5, 4, 3, 2, 1].map(drillId));
    });

    it('refuses a cursor it did not hand out, and a window that ends before it starts', async () => {
      await expect(history.list({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toThrow('cursor is not one this API returned');
      await expect(history.list({ from: '2026-11-26T00:00:00Z', to: '2026-11-25T00:00:00Z' })).rejects.toThrow(
        'from must not be later than to',
      );
    });
  });

  describe('drill', () => {
    it('answers from the projection exactly what the fold of the events says', async () => {
      for (const n of [1, 2, 3, 4, 5]) {
        const state = foldDrill(await drills.store.read<DrillEvent>(drillId(n)))!;
        const defined = <T extends object>(value: T) =>
          Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
        expect(await history.drill(drillId(n))).toEqual(
          defined({
            id: state.id,
            scenario: state.scenario,
            target: state.target,
            trigger: state.trigger,
            scheduleId: state.scheduleId,
            status: state.status,
            requestedAt: state.requestedAt,
            startedAt: state.startedAt,
            finishedAt: state.finishedAt,
            error: state.error,
            steps: state.steps.map((step) => defined({ ...step })),
            timings: defined({ ...state.timings }),
            options: state.options,
            servers: state.servers,
          }),
        );
      }
    });

    it('names the servers and versions the drill found, once prepare has read them', async () => {
      expect((await history.drill(drillId(3))).servers).toEqual(VALKEY);
      expect(await history.drill(drillId(1))).not.toHaveProperty('servers');
      expect(await history.drill(drillId(5))).not.toHaveProperty('servers');
    });

    it('answers an unknown drill with not found', async () => {
      await expect(history.drill(drillId(99))).rejects.toThrow(DrillNotFoundError);
    });
  });

  describe('events', () => {
    it('pages through the raw stream', async () => {
      const first = await history.events(drillId(1), 0, 3);
      expect(first.items.map((event) => [event.sequence, event.type])).toEqual([
        [1, 'DrillRequested'],
        [2, 'DrillStarted'],
        [3, 'LeaseAcquired'],
      ]);
      expect(first.items[0]).toMatchObject({ actor: 'ops-alice', schemaVersion: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(first.nextAfter).toBe(3);
      const rest = await history.events(drillId(1), 3, 1000);
      expect(rest.nextAfter).toBeUndefined();
      expect(rest.items.at(-1)!.type).toBe('DrillSucceeded');
    });

    it('answers an unknown drill with not found, and a known one past its end with an empty page', async () => {
      await expect(history.events(drillId(99), 0, 10)).rejects.toBeInstanceOf(DrillNotFoundError);
      expect(await history.events(drillId(1), 1000, 10)).toEqual({ items: [] });
    });
  });

  describe('timeline', () => {
    it('puts steps and domain events on one axis from the drill start', async () => {
      const timeline = await history.timeline(drillId(2));
      expect(timeline.origin).toBe('2026-11-25T12:00:01.070Z');
      expect(timeline.steps).toEqual([
        { name: 'prepare', status: 'succeeded', startOffsetMs: 0, endOffsetMs: expect.any(Number), durationMs: expect.any(Number) },
        { name: 'kill', status: 'succeeded', startOffsetMs: 10, endOffsetMs: expect.any(Number), durationMs: expect.any(Number) },
        {
          name: 'takeover',
          status: 'failed',
          startOffsetMs: 20,
          endOffsetMs: expect.any(Number),
          durationMs: expect.any(Number),
          error: 'takeover broke',
        },
      ]);
      expect(timeline.events.map((event) => [event.type, event.offsetMs, event.step])).toEqual([
        ['DrillRequested', 0, undefined],
        ['DrillStarted', 0, undefined],
        ['LeaseAcquired', 0, undefined],
        ['DrillFailed', 30, undefined],
      ]);
    });

    it('answers an unknown drill with not found', async () => {
      await expect(history.timeline(drillId(99))).rejects.toBeInstanceOf(DrillNotFoundError);
    });
  });
});
