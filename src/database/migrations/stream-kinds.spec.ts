import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../events/audit-verifier.js';
import { DrillEventRepository } from '../../events/drill-event.repository.js';
import { eventHash, GENESIS_HASH } from '../../events/event-hash.js';
import { SqliteEventStore } from '../../events/sqlite-event-store.js';
import { DrillSummaryProjection } from '../../drills/drill-summary.projection.js';
import { dataSourceOptions, openDataSource } from '../data-source.js';
import { StreamKinds1764300000000 } from './1764300000000-stream-kinds.js';

const DRILL = '4f8a5c1e-0000-4000-8000-000000000001';

describe('the stream kinds migration', () => {
  let directory: string;
  let path: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'stream-kinds-'));
    path = join(directory, 'drills.sqlite');
    // The log as the migrations before this one left it, with a drill's stream and the kill switch's.
    const options = dataSourceOptions(path);
    const before = await new DataSource({
      ...options,
      migrations: (options.migrations as (new () => unknown)[]).filter((migration) => migration !== StreamKinds1764300000000),
      entities: [],
    }).initialize();
    let previous = GENESIS_HASH;
    const rows = [
      [DRILL, 1, 'DrillRequested', { scenario: 'group-failover', target: 'lab', trigger: 'manual' }],
      ['safety', 1, 'HaltEngaged', { reason: 'maintenance' }],
    ] as const;
    for (const [index, [streamId, sequence, type, data]] of rows.entries()) {
      const fields = {
        position: index + 1,
        streamId,
        sequence,
        type,
        schemaVersion: 1,
        data: JSON.stringify(data),
        actor: 'ops-alice',
        occurredAt: '2026-11-25T12:00:00.000Z',
      };
      previous = eventHash(previous, fields);
      await before.query(
        'INSERT INTO drill_events (position, drill_id, sequence, type, schema_version, data, actor, occurred_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [fields.position, streamId, sequence, type, 1, fields.data, fields.actor, fields.occurredAt, previous],
      );
    }
    await before.destroy();
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('gives each existing stream its kind, keeps every hash, and the rebuild folds the drills alone', async () => {
    const dataSource = await openDataSource(path);
    try {
      expect(await dataSource.query('SELECT id, kind FROM event_streams ORDER BY id')).toEqual([
        { id: DRILL, kind: 'drill' },
        { id: 'safety', kind: 'safety' },
      ]);
      expect((await verifyAuditChain(new DrillEventRepository(dataSource))).intact).toBe(true);
      expect(await new SqliteEventStore(dataSource, [new DrillSummaryProjection(dataSource)]).rebuildProjections()).toEqual({ streams: 2 });
      expect(await dataSource.query('SELECT id FROM drills')).toEqual([{ id: DRILL }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
