import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { eventHash, GENESIS_HASH } from './event-hash.js';
import type { Projection } from './projection.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';
import { sqliteHandle, type SqliteDatabase } from './sqlite.js';

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

interface EventRow {
  position: number;
  drill_id: string;
  sequence: number;
  type: string;
  schema_version: number;
  data: string;
  actor: string;
  occurred_at: string;
  hash: string;
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
  private readonly statements: {
    lastSequence: Statement<[string], { sequence: number }>;
    head: Statement<[], { position: number; hash: string }>;
    insert: Statement<[EventRow]>;
    stream: Statement<[string], EventRow>;
    page: Statement<[string, number, number], EventRow>;
    streamIds: Statement<[], { drill_id: string }>;
    projectionVersion: Statement<[string], { version: number }>;
    setProjectionVersion: Statement<[string, number]>;
  };

  constructor(
    dataSource: DataSource,
    private readonly projections: readonly Projection[] = [],
  ) {
    this.db = sqliteHandle(dataSource);
    this.statements = {
      lastSequence: this.db.prepare('SELECT COALESCE(MAX(sequence), 0) AS sequence FROM drill_events WHERE drill_id = ?'),
      head: this.db.prepare('SELECT position, hash FROM drill_events ORDER BY position DESC LIMIT 1'),
      insert: this.db.prepare(
        `INSERT INTO drill_events (position, drill_id, sequence, type, schema_version, data, actor, occurred_at, hash)
         VALUES (@position, @drill_id, @sequence, @type, @schema_version, @data, @actor, @occurred_at, @hash)`,
      ),
      stream: this.db.prepare('SELECT * FROM drill_events WHERE drill_id = ? ORDER BY sequence'),
      page: this.db.prepare('SELECT * FROM drill_events WHERE drill_id = ? AND sequence > ? ORDER BY sequence LIMIT ?'),
      streamIds: this.db.prepare('SELECT drill_id FROM drill_events GROUP BY drill_id ORDER BY MIN(position)'),
      projectionVersion: this.db.prepare('SELECT version FROM projection_state WHERE name = ?'),
      setProjectionVersion: this.db.prepare(
        'INSERT INTO projection_state (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
      ),
    };
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
      const actual = this.statements.lastSequence.get(drillId)!.sequence;
      if (expectedSequence !== AT_STREAM_END && actual !== expectedSequence) {
        throw new StreamConflictError(drillId, expectedSequence, actual);
      }
      const head = this.statements.head.get();
      let position = head?.position ?? 0;
      let previousHash = head?.hash ?? GENESIS_HASH;
      const rows = events.map((event, index): EventRow => {
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
        const row: EventRow = {
          position,
          drill_id: drillId,
          sequence: fields.sequence,
          type: fields.type,
          schema_version: fields.schemaVersion,
          data: fields.data,
          actor: fields.actor,
          occurred_at: occurredAt,
          hash: previousHash,
        };
        this.statements.insert.run(row);
        return row;
      });
      const recorded = rows.map((row) => toRecorded<E>(row));
      for (const projection of this.projections) {
        projection.apply(this.db, drillId, recorded);
      }
      return recorded;
    });
    return transaction.immediate();
  }

  async read<E extends NewEvent>(drillId: string): Promise<RecordedEvent<E>[]> {
    return this.statements.stream.all(drillId).map((row) => toRecorded<E>(row));
  }

  /** Up to `limit` events of a stream that come after `afterSequence`. */
  async readPage<E extends NewEvent>(drillId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    return this.statements.page.all(drillId, afterSequence, limit).map((row) => toRecorded<E>(row));
  }

  /** Empties every projection and replays every stream into it, in one transaction. */
  rebuildProjections(): { streams: number } {
    const rebuild = this.db.transaction(() => {
      for (const projection of this.projections) {
        projection.reset(this.db);
      }
      // Every stream: each projection picks the ones it keeps (drills, not the kill switch's).
      const streamIds = this.statements.streamIds.all().map((row) => row.drill_id);
      for (const drillId of streamIds) {
        const events = this.statements.stream.all(drillId).map((row) => toRecorded(row));
        for (const projection of this.projections) {
          projection.apply(this.db, drillId, events);
        }
      }
      for (const projection of this.projections) {
        this.statements.setProjectionVersion.run(projection.name, projection.version);
      }
      return { streams: streamIds.length };
    });
    return rebuild.immediate();
  }

  /** Rebuilds the projections whose stored version is not the code's, as after an upgrade. */
  rebuildStaleProjections(): boolean {
    const stale = this.projections.some(
      (projection) => this.statements.projectionVersion.get(projection.name)?.version !== projection.version,
    );
    if (stale) {
      this.rebuildProjections();
    }
    return stale;
  }
}

export function toRecorded<E extends NewEvent>(row: EventRow): RecordedEvent<E> {
  return {
    type: row.type,
    data: JSON.parse(row.data) as object,
    schemaVersion: row.schema_version,
    drillId: row.drill_id,
    position: row.position,
    sequence: row.sequence,
    actor: row.actor,
    occurredAt: row.occurred_at,
    hash: row.hash,
  } as RecordedEvent<E>;
}

export type { EventRow };
