import { describe, expect, it } from 'vitest';
import type { Clock } from '../common/clock.js';
import type { UnfinishedDrill } from '../drills/unfinished-drills.js';
import { DrillReconciler, type DrillJobs } from './drill-reconciler.js';

const drill = (id: string, status: UnfinishedDrill['status'] = 'running'): UnfinishedDrill => ({
  id,
  target: 'lab',
  status,
  requestedAt: `2026-11-30T00:00:0${id.length}.000Z`,
});

/** A queue in memory: the live jobs it holds and the drills it was asked to queue again. */
function queueWith(live: string[]): DrillJobs & { requeued: string[] } {
  const requeued: string[] = [];
  return {
    requeued,
    restoreLostSchema: async () => false,
    drillsWithLiveJobs: async () => new Set(live),
    requeue: async (drillId) => {
      requeued.push(drillId);
      return true;
    },
  };
}

/** A clock well past every drill's request. */
const LATER: Clock = { now: () => Date.parse('2026-12-01T00:00:00.000Z') };

describe('DrillReconciler', () => {
  it('given unfinished drills and an emptied queue, when it reconciles, then each gets a job again', async () => {
    const jobs = queueWith([]);
    const reconciler = new DrillReconciler({
      unfinished: async () => [drill('a'), drill('bb', 'queued')],
      jobs,
      runningHere: () => new Set(),
      restoreSchedulers: async () => 0,
      clock: LATER,
    });
    expect(await reconciler.reconcile()).toEqual(['a', 'bb']);
    expect(jobs.requeued).toEqual(['a', 'bb']);
  });

  it('given a drill with a live job and one this process runs, then neither is queued twice', async () => {
    const jobs = queueWith(['a']);
    const reconciler = new DrillReconciler({
      unfinished: async () => [drill('a'), drill('bb'), drill('ccc')],
      jobs,
      runningHere: () => new Set(['bb']),
      restoreSchedulers: async () => 0,
      clock: LATER,
    });
    expect(await reconciler.reconcile()).toEqual(['ccc']);
  });

  it('given a pass under way, when asked again, then both share the one pass', async () => {
    let passes = 0;
    const reconciler = new DrillReconciler({
      unfinished: async () => {
        passes++;
        return [];
      },
      jobs: queueWith([]),
      runningHere: () => new Set(),
      restoreSchedulers: async () => 0,
      clock: LATER,
    });
    await Promise.all([reconciler.reconcile(), reconciler.reconcile()]);
    expect(passes).toBe(1);
  });

  it('given schedulers the queue lost, when it reconciles, then they are restored in the same pass', async () => {
    let restored = 0;
    const reconciler = new DrillReconciler({
      unfinished: async () => [],
      jobs: queueWith([]),
      runningHere: () => new Set(),
      restoreSchedulers: async () => ++restored,
      clock: LATER,
    });
    await reconciler.reconcile();
    expect(restored).toBe(1);
  });

  it('reads the queue before the log, so that a drill finishing in between is not taken for an orphan', async () => {
    const reads: string[] = [];
    const reconciler = new DrillReconciler({
      unfinished: async () => {
        reads.push('log');
        return [];
      },
      jobs: {
        restoreLostSchema: async () => {
          reads.push('schema');
          return false;
        },
        drillsWithLiveJobs: async () => {
          reads.push('queue');
          return new Set();
        },
        requeue: async () => true,
      },
      runningHere: () => new Set(),
      restoreSchedulers: async () => 0,
      clock: LATER,
    });
    await reconciler.reconcile();
    expect(reads).toEqual(['schema', 'queue', 'log']);
  });

  it('given a queue that lost its schema, when it reconciles, then the schema is made again before the schedulers and the orphans', async () => {
    const steps: string[] = [];
    const jobs = queueWith([]);
    const reconciler = new DrillReconciler({
      unfinished: async () => [drill('a')],
      jobs: {
        ...jobs,
        restoreLostSchema: async () => {
          steps.push('schema');
          return true;
        },
        requeue: async (drillId) => {
          steps.push(`requeue ${drillId}`);
          return true;
        },
      },
      runningHere: () => new Set(),
      restoreSchedulers: async () => {
        steps.push('schedulers');
        return 0;
      },
      clock: LATER,
    });
    expect(await reconciler.reconcile()).toEqual(['a']);
    expect(steps).toEqual(['schema', 'schedulers', 'requeue a']);
  });
});
