import type { DataSource } from 'typeorm';
import { isDiskFull, sqliteHandle, type SqliteDatabase } from '../database/sqlite.js';
import { DrillEventRepository, toRecorded } from './drill-event.repository.js';
import { GENESIS_HASH } from './event-hash.js';
import {
  AT_STREAM_END,
  chainedRows,
  EventStore,
  EventStoreBusyError,
  EventStoreFullError,
  LogNotEmptyError,
  StreamConflictError,
  streamKindOf,
  type AppendMetadata,
} from './event-store.js';
import type { DrillEventRow } from './drill-event.entity.js';
import type { EventStreamRow } from './event-stream.entity.js';
import { EventStreamRepository } from './event-stream.repository.js';
import type { Projection } from './projection.js';
import { ProjectionStateRepository } from './projection-state.repository.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/**
 * The audit log in SQLite. Each append is one `BEGIN IMMEDIATE` transaction, which no other writer
 * can interleave with, that also brings every projection up to date; it is durable once it returns
 * (WAL, synchronous FULL).
 */
export class SqliteEventStore extends EventStore {
  private readonly db: SqliteDatabase;
  private readonly events: DrillEventRepository;
  private readonly streams: EventStreamRepository;
  private readonly projectionState: ProjectionStateRepository;

  /** `projections` write to the same data source, so that they commit or roll back with each append. */
  constructor(
    dataSource: DataSource,
    private readonly projections: readonly Projection[] = [],
  ) {
    super();
    this.db = sqliteHandle(dataSource);
    this.events = new DrillEventRepository(dataSource);
    this.streams = new EventStreamRepository(dataSource);
    this.projectionState = new ProjectionStateRepository(dataSource);
  }

  async append<E extends NewEvent>(
    streamId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): Promise<RecordedEvent<E>[]> {
    return this.appendNow(streamId, expectedSequence, events, metadata);
  }

  /** The same append, synchronously: nothing else runs in this process until it has committed. */
  appendNow<E extends NewEvent>(
    streamId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): RecordedEvent<E>[] {
    const transaction = this.db.transaction(() => {
      const actual = this.events.lastSequence(streamId);
      if (expectedSequence !== AT_STREAM_END && actual !== expectedSequence) {
        throw new StreamConflictError(streamId, expectedSequence, actual);
      }
      const kind = streamKindOf(streamId, actual === 0 ? undefined : this.streams.kind(streamId), metadata.streamKind);
      if (actual === 0) {
        this.streams.insert({ id: streamId, kind });
      }
      const rows = chainedRows(this.events.head() ?? { position: 0, hash: GENESIS_HASH }, streamId, actual + 1, events, metadata);
      for (const row of rows) {
        this.events.insert(row);
      }
      const recorded = rows.map((row) => toRecorded<E>(row));
      for (const projection of this.projections) {
        projection.apply({ id: streamId, kind }, recorded);
      }
      return recorded;
    });
    try {
      return transaction.immediate();
    } catch (error) {
      if (isDiskFull(error)) {
        throw new EventStoreFullError(error);
      }
      throw (error as { code?: unknown }).code === 'SQLITE_BUSY' ? new EventStoreBusyError(error) : error;
    }
  }

  async read<E extends NewEvent>(streamId: string): Promise<RecordedEvent<E>[]> {
    return this.events.streamNow<E>(streamId);
  }

  async readPage<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.events.page<E>(streamId, afterSequence, limit);
  }

  async rebuildProjections(): Promise<{ streams: number }> {
    const rebuild = this.db.transaction(() => {
      for (const projection of this.projections) {
        projection.reset();
      }
      // Every stream: each projection picks the ones it keeps (drills, not the kill switch's).
      const streams = this.streams.all();
      for (const stream of streams) {
        const events = this.events.streamNow(stream.id);
        for (const projection of this.projections) {
          projection.apply(stream, events);
        }
      }
      for (const projection of this.projections) {
        this.projectionState.setVersion(projection.name, projection.version);
      }
      return { streams: streams.length };
    });
    return rebuild.immediate();
  }

  async restore(streams: readonly EventStreamRow[], rows: readonly DrillEventRow[]): Promise<void> {
    const restore = this.db.transaction(() => {
      const head = this.events.head();
      if (head) {
        throw new LogNotEmptyError(head.position);
      }
      for (const stream of streams) {
        this.streams.insert(stream);
      }
      for (const row of rows) {
        this.events.insert(row);
      }
    });
    restore.immediate();
    await this.rebuildProjections();
  }

  async rebuildStaleProjections(): Promise<boolean> {
    const stale = this.projections.some((projection) => this.projectionState.version(projection.name) !== projection.version);
    if (stale) {
      await this.rebuildProjections();
    }
    return stale;
  }
}
