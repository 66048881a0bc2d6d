import { HttpStatus } from '@nestjs/common';
import { AppError, errorMessage } from '../common/app-error.js';
import type { DrillEventRow } from './drill-event.entity.js';
import type { EventStreamRow } from './event-stream.entity.js';
import { eventHash } from './event-hash.js';
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
 * The database could not be reached (PostgreSQL down, the connection lost); the same append may
 * go through later. A drill parks on it as on a full disk; an API caller gets a 503.
 */
export class EventStoreUnavailableError extends AppError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  override readonly transient = true;
  override readonly httpStatus = HttpStatus.SERVICE_UNAVAILABLE;

  constructor(cause: unknown) {
    super(`the audit log's database is unavailable: ${errorMessage(cause)}`, { cause });
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

/** Whether the error says nothing can be recorded for a while (a full disk, a database away); a drill parks until the log takes appends again. */
export function isLogDown(error: unknown): error is EventStoreFullError | EventStoreUnavailableError {
  return error instanceof EventStoreFullError || error instanceof EventStoreUnavailableError;
}

/**
 * The audit log: append-only streams of events (one per drill, one for schedule changes, one for the
 * kill switch), all chained by hash in the order they were appended. An append names the sequence
 * its writer last saw and fails with a conflict if anyone appended since, so that two writers on
 * one stream never interleave. Each append is one transaction that also brings every projection up
 * to date, and is durable once it returns. SQLite (`SqliteEventStore`) and PostgreSQL
 * (`PostgresEventStore`) keep the same promises; services inject this class.
 */
export abstract class EventStore {
  /**
   * Appends events after `expectedSequence` (0 for a new stream) and returns them as recorded.
   * `AT_STREAM_END` appends after whatever the stream holds: for a stream many writers add to
   * whose events do not depend on each other, such as schedule changes.
   */
  abstract append<E extends NewEvent>(
    streamId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): Promise<RecordedEvent<E>[]>;

  abstract read<E extends NewEvent>(streamId: string): Promise<RecordedEvent<E>[]>;

  /** Up to `limit` events of a stream that come after `afterSequence`. */
  abstract readPage<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]>;

  /** Empties every projection and replays every stream into it, in one transaction. */
  abstract rebuildProjections(): Promise<{ streams: number }>;

  /** Rebuilds the projections whose stored version is not the code's, as after an upgrade. */
  abstract rebuildStaleProjections(): Promise<boolean>;

  /**
   * Writes another log's streams and events exactly as they were recorded (positions, sequences,
   * hashes), in one transaction, into this log, which must hold no event; then rebuilds the
   * projections. For moving a log between databases.
   */
  abstract restore(streams: readonly EventStreamRow[], rows: readonly DrillEventRow[]): Promise<void>;
}

/** A restore into a log that already holds events, which would mix two chains. */
export class LogNotEmptyError extends AppError {
  readonly code = 'LOG_NOT_EMPTY';

  constructor(readonly headPosition: number) {
    super(`the log already holds ${headPosition} event(s); a log is restored only into an empty one`);
  }
}

/** The stream's kind: checked against the one recorded, or, for an append that begins the stream, the one given. */
export function streamKindOf(streamId: string, recorded: string | undefined, given: string | undefined): string {
  if (recorded === undefined) {
    if (given === undefined) {
      throw new Error(`stream ${streamId}: the append that begins a stream must name its kind`);
    }
    return given;
  }
  if (given !== undefined && given !== recorded) {
    throw new Error(`stream ${streamId} is a ${recorded} stream, not a ${given} one`);
  }
  return recorded;
}

/** The rows of events appended after `head` (the log's last event), each chained to the one before. */
export function chainedRows(
  head: { position: number; hash: string },
  streamId: string,
  firstSequence: number,
  events: readonly NewEvent[],
  metadata: AppendMetadata,
): DrillEventRow[] {
  const occurredAt = metadata.occurredAt.toISOString();
  let previousHash = head.hash;
  return events.map((event, index): DrillEventRow => {
    const fields = {
      position: head.position + index + 1,
      streamId,
      sequence: firstSequence + index,
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      data: JSON.stringify(event.data),
      actor: event.actor ?? metadata.actor,
      occurredAt,
    };
    previousHash = eventHash(previousHash, fields);
    return { ...fields, hash: previousHash };
  });
}
