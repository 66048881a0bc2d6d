import { describe, expect, it } from 'vitest';
import type { UnfinishedDrill } from '../drills/unfinished-drills.js';
import { orphanedDrills, REQUEST_GRACE_MS } from './orphaned-drills.js';

const drill = (id: string, requestedAt: string, target = 'lab', status: UnfinishedDrill['status'] = 'running'): UnfinishedDrill => ({
  id,
  target,
  status,
  requestedAt,
});

/** Well past every drill's request. */
const LATER = Date.parse('2026-11-30T01:00:00.000Z');

describe('orphanedDrills', () => {
  const running = drill('d1', '2026-11-30T00:00:00.000Z');
  const queued = drill('d2', '2026-11-30T00:00:01.000Z', 'lab', 'queued');
  const elsewhere = drill('d3', '2026-11-30T00:00:02.000Z', 'other');

  it('given a wiped queue, when reconciling, then every unfinished drill is an orphan', () => {
    expect(orphanedDrills([running, queued, elsewhere], new Set(), new Set(), LATER)).toEqual([running, queued, elsewhere]);
  });

  it('given live jobs for some drills, when reconciling, then only the others are orphans', () => {
    expect(orphanedDrills([running, queued, elsewhere], new Set(['d1', 'd3']), new Set(), LATER)).toEqual([queued]);
  });

  it('given a drill this process runs, when its job is gone, then it is no orphan: it must not run twice', () => {
    expect(orphanedDrills([running, queued], new Set(), new Set(['d1']), LATER)).toEqual([queued]);
  });

  it('given a drill requested a moment ago, when its job is not there yet, then it is on its way, not an orphan', () => {
    const justNow = Date.parse(queued.requestedAt) + REQUEST_GRACE_MS - 1;
    expect(orphanedDrills([running, queued], new Set(), new Set(), justNow)).toEqual([running]);
    expect(orphanedDrills([running, queued], new Set(), new Set(), justNow + 1)).toEqual([running, queued]);
  });
});
