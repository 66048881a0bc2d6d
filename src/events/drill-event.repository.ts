import { Inject, Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { selectColumns, sqliteHandle } from '../database/sqlite.js';
import { DrillEventRow } from './drill-event.entity.js';
import { DrillEventReader } from './drill-event.reader.js';
import type { EventStreamRow } from './event-stream.entity.js';
import { EventStreamRepository } from './event-stream.repository.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/**
 * The `drill_events` table in SQLite: the audit log's rows. Everyone reads through it; only the
 * event store calls `insert` and the synchronous reads, inside its append transaction.
 */
@Injectable()
export class DrillEventRepository extends DrillEventReader {
  private readonly statements: {
    lastSequence: Statement<[string], number>;
    head: Statement<[], { position: number; hash: string }>;
    insert: Statement<[DrillEventRow]>;
    stream: Statement<[string], DrillEventRow>;
    page: Statement<[string, number, number], DrillEventRow>;
    inAppendOrder: Statement<[], DrillEventRow>;
    highestPositionEverUsed: Statement<[], number>;
  };

  private readonly streamKinds: EventStreamRepository;

  constructor(@Inject(DataSource) dataSource: DataSource) {
    super();
    this.streamKinds = new EventStreamRepository(dataSource);
    const db = sqliteHandle(dataSource);
    const columns = selectColumns(dataSource, DrillEventRow);
    this.statements = {
      lastSequence: db.prepare('SELECT COALESCE(MAX(sequence), 0) FROM drill_events WHERE stream_id = ?').pluck() as Statement<
        [string],
        number
      >,
      head: db.prepare('SELECT position, hash FROM drill_events ORDER BY position DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO drill_events (position, stream_id, sequence, type, schema_version, data, actor, occurred_at, hash)
         VALUES (@position, @streamId, @sequence, @type, @schemaVersion, @data, @actor, @occurredAt, @hash)`,
      ),
      stream: db.prepare(`SELECT ${columns} FROM drill_events WHERE stream_id = ? ORDER BY sequence`),
      page: db.prepare(`SELECT ${columns} FROM drill_events WHERE stream_id = ? AND sequence > ? ORDER BY sequence LIMIT ?`),
      inAppendOrder: db.prepare(`SELECT ${columns} FROM drill_events ORDER BY position`),
      highestPositionEverUsed: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'drill_events'`).pluck() as Statement<[], number>,
    };
  }

  /** The sequence of a stream's last event; 0 for a stream with none. */
  lastSequence(streamId: string): number {
    return this.statements.lastSequence.get(streamId)!;
  }

  /** The log's last event, which the next one chains to. */
  head(): { position: number; hash: string } | undefined {
    return this.statements.head.get();
  }

  async headPosition(): Promise<number> {
    return this.head()?.position ?? 0;
  }

  insert(row: DrillEventRow): void {
    this.statements.insert.run(row);
  }

  /** A stream's events, synchronously: for the event store and projections inside an append. */
  streamNow<E extends NewEvent>(streamId: string): RecordedEvent<E>[] {
    return this.statements.stream.all(streamId).map((row) => toRecorded<E>(row));
  }

  async stream<E extends NewEvent>(streamId: string): Promise<RecordedEvent<E>[]> {
    return this.streamNow<E>(streamId);
  }

  async page<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.statements.page.all(streamId, afterSequence, limit).map((row) => toRecorded<E>(row));
  }

  async *inAppendOrder(): AsyncIterableIterator<DrillEventRow> {
    yield* this.statements.inAppendOrder.iterate();
  }

  async streams(): Promise<EventStreamRow[]> {
    return this.streamKinds.all();
  }

  async highestPositionEverUsed(): Promise<number | undefined> {
    return this.statements.highestPositionEverUsed.get();
  }
}

export function toRecorded<E extends NewEvent>(row: DrillEventRow): RecordedEvent<E> {
  return {
    type: row.type,
    data: JSON.parse(row.data) as object,
    schemaVersion: row.schemaVersion,
    streamId: row.streamId,
    position: row.position,
    sequence: row.sequence,
    actor: row.actor,
    occurredAt: row.occurredAt,
    hash: row.hash,
  } as RecordedEvent<E>;
}
