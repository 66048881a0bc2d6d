import type { DataSource } from 'typeorm';
import { classifiedFailure, inTransaction } from '../database/postgres.js';
import { toRecorded } from './drill-event.repository.js';
import { PostgresDrillEventRepository } from './drill-event.postgres-repository.js';
import { GENESIS_HASH } from './event-hash.js';
import {
  AT_STREAM_END,
  chainedRows,
  EventStore,
  EventStoreUnavailableError,
  LogNotEmptyError,
  StreamConflictError,
  streamKindOf,
  type AppendMetadata,
} from './event-store.js';
import type { PostgresProjection } from './postgres-projection.js';
import type { DrillEventRow } from './drill-event.entity.js';
import type { EventStreamRow } from './event-stream.entity.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/** Rows per INSERT while restoring: well under PostgreSQL's 65,535 parameters per statement. */
const RESTORE_BATCH = 2_000;

/**
 * The audit log in PostgreSQL. Each append is one transaction that first locks the log's one
 * high-water row, so that appends from every connection and every process take turns as SQLite's
 * `BEGIN IMMEDIATE` makes them: the expected sequence is checked, the events are chained to the
 * head, and the projections are brought up to date before the commit.
 */
export class PostgresEventStore extends EventStore {
  private readonly events: PostgresDrillEventRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: readonly PostgresProjection[] = [],
    /** Whether the database is open and migrated; until then every call is an `EventStoreUnavailableError`. */
    private readonly isOpen: () => boolean = () => dataSource.isInitialized,
  ) {
    super();
    this.events = new PostgresDrillEventRepository(dataSource);
  }

  async append<E extends NewEvent>(
    streamId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): Promise<RecordedEvent<E>[]> {
    return this.classified(() =>
      inTransaction(this.dataSource, async (transaction) => {
        await this.events.lockForAppend(transaction);
        const actual = await this.events.lastSequence(transaction, streamId);
        if (expectedSequence !== AT_STREAM_END && actual !== expectedSequence) {
          throw new StreamConflictError(streamId, expectedSequence, actual);
        }
        const kind = streamKindOf(
          streamId,
          actual === 0 ? undefined : await this.events.streamKind(transaction, streamId),
          metadata.streamKind,
        );
        if (actual === 0) {
          await this.events.insertStream(transaction, { id: streamId, kind });
        }
        const head = (await this.events.head(transaction)) ?? { position: 0, hash: GENESIS_HASH };
        const rows = chainedRows(head, streamId, actual + 1, events, metadata);
        if (rows.length > 0) {
          await this.events.insert(transaction, rows);
        }
        const recorded = rows.map((row) => toRecorded<E>(row));
        for (const projection of this.projections) {
          await projection.apply(transaction, { id: streamId, kind }, recorded);
        }
        return recorded;
      }),
    );
  }

  async read<E extends NewEvent>(streamId: string): Promise<RecordedEvent<E>[]> {
    return this.classified(() => this.events.stream<E>(streamId));
  }

  async readPage<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.classified(() => this.events.page<E>(streamId, afterSequence, limit));
  }

  async rebuildProjections(): Promise<{ streams: number }> {
    return inTransaction(this.dataSource, async (transaction) => {
      // No append may land between the reset and the replay.
      await this.events.lockForAppend(transaction);
      for (const projection of this.projections) {
        await projection.reset(transaction);
      }
      const streams = await this.events.streams(transaction);
      for (const stream of streams) {
        const events = await this.events.stream(stream.id, transaction);
        for (const projection of this.projections) {
          await projection.apply(transaction, stream, events);
        }
      }
      for (const projection of this.projections) {
        await this.events.setProjectionVersion(transaction, projection.name, projection.version);
      }
      return { streams: streams.length };
    });
  }

  async restore(streams: readonly EventStreamRow[], rows: readonly DrillEventRow[]): Promise<void> {
    await inTransaction(this.dataSource, async (transaction) => {
      await this.events.lockForAppend(transaction);
      const head = await this.events.head(transaction);
      if (head) {
        throw new LogNotEmptyError(head.position);
      }
      for (const stream of streams) {
        await this.events.insertStream(transaction, stream);
      }
      for (let start = 0; start < rows.length; start += RESTORE_BATCH) {
        await this.events.insert(transaction, rows.slice(start, start + RESTORE_BATCH));
      }
    });
    await this.rebuildProjections();
  }

  async rebuildStaleProjections(): Promise<boolean> {
    let stale = false;
    for (const projection of this.projections) {
      stale ||= (await this.events.projectionVersion(this.dataSource, projection.name)) !== projection.version;
    }
    if (stale) {
      await this.rebuildProjections();
    }
    return stale;
  }

  /** Refuses at once while the database is not open; the driver's errors as `classifiedFailure` says. */
  private async classified<T>(work: () => Promise<T>): Promise<T> {
    if (!this.isOpen()) {
      throw new EventStoreUnavailableError('PostgreSQL has not been reached since the service started');
    }
    try {
      return await work();
    } catch (error) {
      throw classifiedFailure(error);
    }
  }
}
