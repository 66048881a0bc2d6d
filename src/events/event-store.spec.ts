import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataSource } from '../database/data-source.js';
import { verifyAuditChain } from './audit-verifier.js';
import { eventHash, GENESIS_HASH } from './event-hash.js';
import { DrillEventRepository } from './drill-event.repository.js';
import { AT_STREAM_END, type EventStore, EventStoreFullError, StreamConflictError } from './event-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { sqliteHandle } from '../database/sqlite.js';

describe('EventStore on SQLite', () => {
  let directory: string;
  let dataSource: DataSource;
  let store: EventStore;
  const meta = { occurredAt: new Date('2026-11-25T12:00:00.123Z'), actor: 'ops-alice', streamKind: 'test' };

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'event-store-'));
    dataSource = await openDataSource(join(directory, 'nested', 'drills.sqlite'));
    store = new SqliteEventStore(dataSource);
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  it('appends to a stream and reads it back in order, with global positions, actor and schema version', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: { n: 1 } }], meta);
    await store.append('drill-2', 0, [{ type: 'A', data: { n: 2 } }], meta);
    const appended = await store.append(
      'drill-1',
      1,
      [
        { type: 'B', data: {}, schemaVersion: 2 },
        { type: 'C', data: { nested: { ok: true } } },
      ],
      meta,
    );
    expect(appended.map((event) => event.sequence)).toEqual([2, 3]);

    const stream = await store.read('drill-1');
    expect(stream.map(({ type, sequence, data, schemaVersion, actor }) => ({ type, sequence, data, schemaVersion, actor }))).toEqual([
      { type: 'A', sequence: 1, data: { n: 1 }, schemaVersion: 1, actor: 'ops-alice' },
      { type: 'B', sequence: 2, data: {}, schemaVersion: 2, actor: 'ops-alice' },
      { type: 'C', sequence: 3, data: { nested: { ok: true } }, schemaVersion: 1, actor: 'ops-alice' },
    ]);
    expect(stream.map((event) => event.position)).toEqual([1, 3, 4]);
    expect(stream[0]!.occurredAt).toBe('2026-11-25T12:00:00.123Z');
    expect(await store.read('drill-3')).toEqual([]);
    expect((await store.readPage('drill-1', 1, 1)).map((event) => event.type)).toEqual(['B']);
  });

  it('chains every event to the one appended before it, across drills', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: { n: 1 } }], meta);
    const [second] = await store.append('drill-2', 0, [{ type: 'A', data: { n: 2 } }], meta);
    const [first] = await store.read('drill-1');
    const fields = (event: typeof first) => ({
      position: event!.position,
      streamId: event!.streamId,
      sequence: event!.sequence,
      type: event!.type,
      schemaVersion: event!.schemaVersion,
      data: JSON.stringify(event!.data),
      actor: event!.actor,
      occurredAt: event!.occurredAt,
    });
    expect(first!.hash).toBe(eventHash(GENESIS_HASH, fields(first)));
    expect(second!.hash).toBe(eventHash(first!.hash, fields(second)));
  });

  it('refuses an append that does not follow the sequence the writer saw, and writes nothing', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: {} }], meta);
    await expect(store.append('drill-1', 0, [{ type: 'B', data: {} }], meta)).rejects.toThrow(new StreamConflictError('drill-1', 0, 1));
    await expect(store.append('drill-1', 2, [{ type: 'B', data: {} }], meta)).rejects.toBeInstanceOf(StreamConflictError);
    expect((await store.read('drill-1')).map((event) => event.type)).toEqual(['A']);
  });

  it('appends at the end of a shared stream whatever others appended, each event once and in order', async () => {
    const other = await openDataSource(join(directory, 'nested', 'drills.sqlite'));
    try {
      const otherStore = new SqliteEventStore(other);
      await Promise.all([
        store.append('shared', AT_STREAM_END, [{ type: 'First', data: {} }], meta),
        otherStore.append('shared', AT_STREAM_END, [{ type: 'Second', data: {} }], meta),
      ]);
      expect((await store.read('shared')).map((event) => event.sequence)).toEqual([1, 2]);
      expect((await store.read('shared')).map((event) => event.type).sort()).toEqual(['First', 'Second']);
      expect((await verifyAuditChain(new DrillEventRepository(dataSource))).intact).toBe(true);
    } finally {
      await other.destroy();
    }
  });

  it('lets only one of two writers with the same expectation win, also when they use separate connections', async () => {
    const other = await openDataSource(join(directory, 'nested', 'drills.sqlite'));
    try {
      const otherStore = new SqliteEventStore(other);
      const results = await Promise.allSettled([
        store.append('drill-1', 0, [{ type: 'First', data: {} }], meta),
        otherStore.append('drill-1', 0, [{ type: 'Second', data: {} }], meta),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await store.read('drill-1')).toHaveLength(1);
      expect((await verifyAuditChain(new DrillEventRepository(dataSource))).intact).toBe(true);
    } finally {
      await other.destroy();
    }
  });

  it('answers a full disk with EventStoreFullError, writes nothing, and appends once space is back', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: {} }], meta);
    const db = sqliteHandle(dataSource);
    // SQLite's own ceiling on the file's pages: a write past it fails as ENOSPC does, with SQLITE_FULL.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    const big = { type: 'B', data: { filler: 'x'.repeat(64 * 1024) } };
    await expect(store.append('drill-1', 1, [big], meta)).rejects.toThrow(EventStoreFullError);
    expect(await store.read('drill-1')).toHaveLength(1);

    db.pragma('max_page_count = 1073741823');
    await store.append('drill-1', 1, [big], meta);
    expect((await store.read('drill-1')).map((event) => event.type)).toEqual(['A', 'B']);
    expect((await verifyAuditChain(new DrillEventRepository(dataSource))).intact).toBe(true);
  });

  it('is append-only in the database itself', async () => {
    await store.append('drill-1', 0, [{ type: 'A', data: {} }], meta);
    await expect(dataSource.query(`UPDATE drill_events SET type = 'Edited'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM drill_events`)).rejects.toThrow(/append-only/);
  });

  it('runs in WAL mode with full synchronous writes, and its schema is exactly what the entities describe', async () => {
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });
});
