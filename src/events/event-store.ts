import { AppError, errorMessage } from '../common/app-error.js';
import type { DataSource } from 'typeorm';
import { isDiskFull, sqliteHandle, type SqliteDatabase } from '../database/sqlite.js';
import type { DrillEventRow } from './drill-event.entity.js';
import { DrillEventRepository, toRecorded } from './drill-event.repository.js';
import { EventStreamRepository } from './event-stream.repository.js';
import { eventHash, GENESIS_HASH } from './event-hash.js';
import type { Projection } from './projection.js';
import { ProjectionStateRepository } from './projection-state.repository.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/** Instead of an expected sequence: append after the stream's last event, whatever it is. */
export const AT_STREAM_END = 'end';

export interface AppendMetadata {
  readonly occurredAt: Date;
  readonly actor: string;
  /**
   * What the stream is about (`drill`, `schedules`, `safety`): required for the append that begins
   * a stream, which records it; projections choose the streams they fold by it.
   */
  readonly streamKind?: string;
}

export class StreamConflictError extends AppError {
  readonly code = 'STREAM_CONFLICT';

  constructor(
    readonly streamId: string,
    readonly expectedSequence: number,
    readonly actualSequence: number,
  ) {
    super(`stream ${streamId}: expected it at sequence ${expectedSequence}, found ${actualSequence}; another writer appended first`);
  }
}

/** Another connection held the database past the busy timeout; the same append may go through a moment later. */
export class EventStoreBusyError extends AppError {
  readonly code = 'EVENT_STORE_BUSY';
  override readonly transient = true;

  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

/**
 * The disk of the audit log is full: nothing was written (the transaction rolled back), and the
 * same append goes through once space is back. Not transient for a step's retries, which come
 * within a second: the drill parks instead, and is run again until the append goes through.
 */
export class EventStoreFullError extends AppError {
  readonly code = 'EVENT_STORE_FULL';

  constructor(cause: unknown) {
    super(`the audit log's disk is full: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * The audit log: append-only streams of events (one per drill, one for schedule changes, one for the
 * kill switch), all chained by hash in the order they were appended. An append names the sequence
 * its writer last saw and fails with a conflict if anyone appended since, so that two writers on
 * one stream never interleave. Each append is one
 * `BEGIN IMMEDIATE` transaction that also brings every projection up to date, and is durable once
 * it returns (WAL, synchronous FULL).
 */
export class EventStore {
  private readonly db: SqliteDatabase;
  private readonly events: DrillEventRepository;
  private readonly streams: EventStreamRepository;
  private readonly projectionState: ProjectionStateRepository;

  /** `projections` write to the same data source, so that they commit or roll back with each append. */
  constructor(
    dataSource: DataSource,
    private readonly projections: readonly Projection[] = [],
  ) {
    this.db = sqliteHandle(dataSource);
    this.events = new DrillEventRepository(dataSource);
    this.streams = new EventStreamRepository(dataSource);
    this.projectionState = new ProjectionStateRepository(dataSource);
  }

  /**
   * Appends events after `expectedSequence` (0 for a new stream) and returns them as recorded.
   * `AT_STREAM_END` appends after whatever the stream holds: for a stream many writers add to
   * whose events do not depend on each other, such as schedule changes.
   */
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
    const occurredAt = metadata.occurredAt.toISOString();
    const transaction = this.db.transaction(() => {
      const actual = this.events.lastSequence(streamId);
      if (expectedSequence !== AT_STREAM_END && actual !== expectedSequence) {
        throw new StreamConflictError(streamId, expectedSequence, actual);
      }
      const stream = { id: streamId, kind: this.streamKind(streamId, actual === 0, metadata.streamKind) };
      const head = this.events.head();
      let position = head?.position ?? 0;
      let previousHash = head?.hash ?? GENESIS_HASH;
      const rows = events.map((event, index): DrillEventRow => {
        position += 1;
        const fields = {
          position,
          streamId,
          sequence: actual + index + 1,
          type: event.type,
          schemaVersion: event.schemaVersion ?? 1,
          data: JSON.stringify(event.data),
          actor: event.actor ?? metadata.actor,
          occurredAt,
        };
        previousHash = eventHash(previousHash, fields);
        const row = { ...fields, hash: previousHash };
        this.events.insert(row);
        return row;
      });
      const recorded = rows.map((row) => toRecorded<E>(row));
      for (const projection of this.projections) {
        projection.apply(stream, recorded);
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
    return this.events.stream<E>(streamId);
  }

  /** Up to `limit` events of a stream that come after `afterSequence`. */
  async readPage<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.events.page<E>(streamId, afterSequence, limit);
  }

  /** The stream's kind: recorded now if the append begins it, and otherwise checked against the one recorded. */
  private streamKind(streamId: string, begins: boolean, given: string | undefined): string {
    if (begins) {
      if (given === undefined) {
        throw new Error(`stream ${streamId}: the append that begins a stream must name its kind`);
      }
      this.streams.insert({ id: streamId, kind: given });
      return given;
    }
    const recorded = this.streams.kind(streamId)!;
    if (given !== undefined && given !== recorded) {
      throw new Error(`stream ${streamId} is a ${recorded} stream, not a ${given} one`);
    }
    return recorded;
  }

  /** Empties every projection and replays every stream into it, in one transaction. */
  rebuildProjections(): { streams: number } {
    const rebuild = this.db.transaction(() => {
      for (const projection of this.projections) {
        projection.reset();
      }
      // Every stream: each projection picks the ones it keeps (drills, not the kill switch's).
      const streams = this.streams.all();
      for (const stream of streams) {
        const events = this.events.stream(stream.id);
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

  /** Rebuilds the projections whose stored version is not the code's, as after an upgrade. */
  rebuildStaleProjections(): boolean {
    const stale = this.projections.some((projection) => this.projectionState.version(projection.name) !== projection.version);
    if (stale) {
      this.rebuildProjections();
    }
    return stale;
  }
}
