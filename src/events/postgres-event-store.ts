import type { DataSource } from 'typeorm';
import { classifiedFailure, inTransaction } from '../database/postgres.js';
import { toRecorded } from './drill-event.repository.js';
import { PostgresDrillEventRepository } from './drill-event.postgres-repository.js';
import {
  AT_STREAM_END,
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
 * The audit log in PostgreSQL. Each append is one transaction whose first statement
 * (`append_drill_events`) locks the log's one high-water row, so that appends from every
 * connection and every process take turns as SQLite's `BEGIN IMMEDIATE` makes them, checks the
 * expected sequence, and chains the events to the head; the projections are then brought up to
 * date before the commit. The lock is held from that statement to the commit only.
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
    const occurredAt = metadata.occurredAt.toISOString();
    const fields = events.map((event) => ({
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      data: JSON.stringify(event.data),
      actor: event.actor ?? metadata.actor,
    }));
    return this.classified(() =>
      inTransaction(this.dataSource, async (transaction) => {
        const expected = expectedSequence === AT_STREAM_END ? null : expectedSequence;
        const found = await this.events.appendChained(transaction, streamId, expected, metadata.streamKind ?? null, fields, occurredAt);
        if (found.hashes === null || found.firstPosition === null) {
          if (expected !== null && found.foundSequence !== expected) {
            throw new StreamConflictError(streamId, expected, found.foundSequence);
          }
          streamKindOf(streamId, found.foundKind ?? undefined, metadata.streamKind);
          throw new Error(`stream ${streamId}: the append was refused for a reason the store does not know`);
        }
        const kind = found.foundKind!;
        const recorded = fields.map((event, index) =>
          toRecorded<E>({
            ...event,
            position: found.firstPosition! + index,
            streamId,
            sequence: found.foundSequence + index + 1,
            occurredAt,
            hash: found.hashes![index]!,
          }),
        );
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
      await this.events.withoutStatementTimeout(transaction);
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
      await this.events.withoutStatementTimeout(transaction);
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
