import type { DataSource } from 'typeorm';
import { sqliteHandle, type SqliteDatabase } from '../database/sqlite.js';
import type { DrillEventRow } from './drill-event.entity.js';
import { DrillEventRepository, toRecorded } from './drill-event.repository.js';
import { eventHash, GENESIS_HASH } from './event-hash.js';
import type { Projection } from './projection.js';
import { ProjectionStateRepository } from './projection-state.repository.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/** Instead of an expected sequence: append after the stream's last event, whatever it is. */
export const AT_STREAM_END = 'end';

export interface AppendMetadata {
  readonly occurredAt: Date;
  readonly actor: string;
}

export class StreamConflictError extends Error {
  constructor(
    readonly drillId: string,
    readonly expectedSequence: number,
    readonly actualSequence: number,
  ) {
    super(`drill ${drillId}: expected its stream at sequence ${expectedSequence}, found ${actualSequence}; another writer appended first`);
    this.name = 'StreamConflictError';
  }
}

/**
 * The audit log: one append-only stream of events per drill, all chained by hash in the order they
 * were appended. An append names the sequence its writer last saw and fails with a conflict if
 * anyone appended since, so that two writers on one drill never interleave. Each append is one
 * `BEGIN IMMEDIATE` transaction that also brings every projection up to date, and is durable once
 * it returns (WAL, synchronous FULL).
 */
export class EventStore {
  private readonly db: SqliteDatabase;
  private readonly events: DrillEventRepository;
  private readonly projectionState: ProjectionStateRepository;

  /** `projections` write to the same data source, so that they commit or roll back with each append. */
  constructor(
    dataSource: DataSource,
    private readonly projections: readonly Projection[] = [],
  ) {
    this.db = sqliteHandle(dataSource);
    this.events = new DrillEventRepository(dataSource);
    this.projectionState = new ProjectionStateRepository(dataSource);
  }

  /**
   * Appends events after `expectedSequence` (0 for a new stream) and returns them as recorded.
   * `AT_STREAM_END` appends after whatever the stream holds: for a stream many writers add to
   * whose events do not depend on each other, such as schedule changes.
   */
  async append<E extends NewEvent>(
    drillId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): Promise<RecordedEvent<E>[]> {
    return this.appendNow(drillId, expectedSequence, events, metadata);
  }

  /** The same append, synchronously: nothing else runs in this process until it has committed. */
  appendNow<E extends NewEvent>(
    drillId: string,
    expectedSequence: number | typeof AT_STREAM_END,
    events: readonly E[],
    metadata: AppendMetadata,
  ): RecordedEvent<E>[] {
    const occurredAt = metadata.occurredAt.toISOString();
    const transaction = this.db.transaction(() => {
      const actual = this.events.lastSequence(drillId);
      if (expectedSequence !== AT_STREAM_END && actual !== expectedSequence) {
        throw new StreamConflictError(drillId, expectedSequence, actual);
      }
      const head = this.events.head();
      let position = head?.position ?? 0;
      let previousHash = head?.hash ?? GENESIS_HASH;
      const rows = events.map((event, index): DrillEventRow => {
        position += 1;
        const fields = {
          position,
          drillId,
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
        projection.apply(drillId, recorded);
      }
      return recorded;
    });
    return transaction.immediate();
  }

  async read<E extends NewEvent>(drillId: string): Promise<RecordedEvent<E>[]> {
    return this.events.stream<E>(drillId);
  }

  /** Up to `limit` events of a stream that come after `afterSequence`. */
  async readPage<E extends NewEvent>(drillId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.events.page<E>(drillId, afterSequence, limit);
  }

  /** Empties every projection and replays every stream into it, in one transaction. */
  rebuildProjections(): { streams: number } {
    const rebuild = this.db.transaction(() => {
      for (const projection of this.projections) {
        projection.reset();
      }
      // Every stream: each projection picks the ones it keeps (drills, not the kill switch's).
      const streamIds = this.events.streamIds();
      for (const drillId of streamIds) {
        const events = this.events.stream(drillId);
        for (const projection of this.projections) {
          projection.apply(drillId, events);
        }
      }
      for (const projection of this.projections) {
        this.projectionState.setVersion(projection.name, projection.version);
      }
      return { streams: streamIds.length };
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
