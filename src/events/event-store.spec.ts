import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataSource } from './data-source.js';
import { EventStore, StreamConflictError } from './event-store.js';

describe('EventStore on SQLite', () => {
  let directory: string;
  let dataSource: DataSource;
  let store: EventStore;
  const at = new Date('2026-11-25T12:00:00.123Z');

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'event-store-'));
    dataSource = await openDataSource(join(directory, 'nested', 'drills.sqlite'));
    store = new EventStore(dataSource);
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  it('appends to a stream and reads it back in order, with global positions', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: { n: 1 } }], at);
    await store.append('drill-2', 0, [{ type: 'A', data: { n: 2 } }], at);
    const appended = await store.append(
      'drill-1',
      1,
      [
        { type: 'B', data: {} },
        { type: 'C', data: { nested: { ok: true } } },
      ],
      at,
    );
    expect(appended.map((event) => event.sequence)).toEqual([2, 3]);

    const stream = await store.read('drill-1');
    expect(stream.map(({ type, sequence, data }) => ({ type, sequence, data }))).toEqual([
      { type: 'A', sequence: 1, data: { n: 1 } },
      { type: 'B', sequence: 2, data: {} },
      { type: 'C', sequence: 3, data: { nested: { ok: true } } },
    ]);
    expect(stream.map((event) => event.position)).toEqual([1, 3, 4]);
    expect(stream[0]!.occurredAt).toBe('2026-11-25T12:00:00.123Z');
    expect(await store.read('drill-3')).toEqual([]);
  });

  it('refuses an append that does not follow the sequence the writer saw, and writes nothing', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: {} }], at);
    await expect(store.append('drill-1', 0, [{ type: 'B', data: {} }], at)).rejects.toThrow(new StreamConflictError('drill-1', 0, 1));
    await expect(store.append('drill-1', 2, [{ type: 'B', data: {} }], at)).rejects.toBeInstanceOf(StreamConflictError);
    expect((await store.read('drill-1')).map((event) => event.type)).toEqual(['A']);
  });

  it('lets only one of two concurrent writers with the same expectation win', async () => {
    const results = await Promise.allSettled([
      store.append('drill-1', 0, [{ type: 'First', data: {} }], at),
      store.append('drill-1', 0, [{ type: 'Second', data: {} }], at),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.read('drill-1')).toHaveLength(1);
  });

  it('is append-only in the database itself', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: {} }], at);
    await expect(dataSource.query(`UPDATE drill_events SET type = 'Edited'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM drill_events`)).rejects.toThrow(/append-only/);
  });

  it('runs in WAL mode with full synchronous writes', async () => {
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
  });
});
