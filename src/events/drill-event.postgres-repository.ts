import type { DataSource } from 'typeorm';
import { rows, type Sql } from '../database/postgres.js';
import { selectColumns } from '../database/sqlite.js';
import { DrillEventRow } from './drill-event.entity.js';
import { DrillEventReader } from './drill-event.reader.js';
import { toRecorded } from './drill-event.repository.js';
import type { EventStreamRow } from './event-stream.entity.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/** An event's fields as `append_drill_events` takes them: what the append does not decide. */
export type ChainedEvent = Pick<DrillEventRow, 'type' | 'schemaVersion' | 'data' | 'actor'>;

/** What `append_drill_events` found (the stream's last sequence and kind) and, when it appended, the events' first position and hashes. */
export interface ChainedAppend {
  readonly foundSequence: number;
  readonly foundKind: string | null;
  readonly firstPosition: number | null;
  readonly hashes: string[] | null;
}

/** Rows read at a time while the whole log is walked. */
const WALK_PAGE = 1_000;

/**
 * The audit log's tables in PostgreSQL (`drill_events`, `event_streams`, `log_high_water`).
 * Everyone reads through it; the writes take the open transaction of the event store's append.
 */
export class PostgresDrillEventRepository extends DrillEventReader {
  private readonly columns: string;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.columns = selectColumns(dataSource, DrillEventRow);
  }

  async headPosition(): Promise<number> {
    return (await this.head(this.dataSource))?.position ?? 0;
  }

  async stream<E extends NewEvent>(streamId: string, sql: Sql = this.dataSource): Promise<RecordedEvent<E>[]> {
    const found = await rows<DrillEventRow>(sql, `SELECT ${this.columns} FROM drill_events WHERE stream_id = $1 ORDER BY sequence`, [
      streamId,
    ]);
    return found.map((row) => toRecorded<E>(row));
  }

  async page<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]> {
    const found = await rows<DrillEventRow>(
      this.dataSource,
      `SELECT ${this.columns} FROM drill_events WHERE stream_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
      [streamId, afterSequence, limit],
    );
    return found.map((row) => toRecorded<E>(row));
  }

  async *inAppendOrder(): AsyncIterableIterator<DrillEventRow> {
    let after = 0;
    for (;;) {
      const page = await rows<DrillEventRow>(
        this.dataSource,
        `SELECT ${this.columns} FROM drill_events WHERE position > $1 ORDER BY position LIMIT $2`,
        [after, WALK_PAGE],
      );
      yield* page;
      if (page.length < WALK_PAGE) {
        return;
      }
      after = page.at(-1)!.position;
    }
  }

  async highestPositionEverUsed(sql: Sql = this.dataSource): Promise<number | undefined> {
    const [row] = await rows<{ position: number }>(sql, 'SELECT position FROM log_high_water');
    return row && row.position > 0 ? row.position : undefined;
  }

  /** Lifts the connection's statement timeout until the transaction ends: a rebuild or a restore walks the whole log. */
  async withoutStatementTimeout(sql: Sql): Promise<void> {
    await sql.query('SET LOCAL statement_timeout = 0');
  }

  /** Locks the log until the transaction ends, as `append_drill_events` does: no append lands meanwhile. */
  async lockForAppend(sql: Sql): Promise<void> {
    await sql.query('SELECT position FROM log_high_water FOR UPDATE');
  }

  /**
   * Appends `events` to a stream in one statement (`append_drill_events`, see its migration): under
   * the log's lock, checks the stream's last sequence against `expectedSequence` (any, when null)
   * and its kind against `kind`, then chains the events to the head and inserts them. What it found,
   * and, when it appended, where the events went and their hashes.
   */
  async appendChained(
    sql: Sql,
    streamId: string,
    expectedSequence: number | null,
    kind: string | null,
    events: readonly ChainedEvent[],
    occurredAt: string,
  ): Promise<ChainedAppend> {
    const [row] = await rows<ChainedAppend>(
      sql,
      'SELECT found_sequence AS "foundSequence", found_kind AS "foundKind", first_position AS "firstPosition", hashes FROM append_drill_events($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        streamId,
        expectedSequence,
        kind,
        events.map((event) => event.type),
        events.map((event) => event.schemaVersion),
        events.map((event) => event.data),
        events.map((event) => event.actor),
        occurredAt,
      ],
    );
    return row!;
  }

  /** The log's last event, which the next one chains to. */
  async head(sql: Sql): Promise<{ position: number; hash: string } | undefined> {
    const [row] = await rows<{ position: number; hash: string }>(
      sql,
      'SELECT position, hash FROM drill_events ORDER BY position DESC LIMIT 1',
    );
    return row;
  }

  /** Inserts the rows and raises the high-water mark to the last of them. */
  async insert(sql: Sql, appended: readonly DrillEventRow[]): Promise<void> {
    const fields = ['position', 'streamId', 'sequence', 'type', 'schemaVersion', 'data', 'actor', 'occurredAt', 'hash'] as const;
    const values = appended.map((_, row) => `(${fields.map((__, column) => `$${row * fields.length + column + 1}`).join(', ')})`);
    await sql.query(
      `INSERT INTO drill_events (position, stream_id, sequence, type, schema_version, data, actor, occurred_at, hash) VALUES ${values.join(', ')}`,
      appended.flatMap((row) => fields.map((field) => row[field])),
    );
    await sql.query('UPDATE log_high_water SET position = $1', [appended.at(-1)!.position]);
  }

  async insertStream(sql: Sql, stream: EventStreamRow): Promise<void> {
    await sql.query('INSERT INTO event_streams (id, kind) VALUES ($1, $2)', [stream.id, stream.kind]);
  }

  async streams(sql: Sql = this.dataSource): Promise<EventStreamRow[]> {
    return rows<EventStreamRow>(
      sql,
      `SELECT s.id AS id, s.kind AS kind FROM event_streams AS s
       JOIN (SELECT stream_id, MIN(position) AS first FROM drill_events GROUP BY stream_id) AS e ON e.stream_id = s.id
       ORDER BY e.first`,
    );
  }

  /** The version a projection's tables were last built at; undefined if never. */
  async projectionVersion(sql: Sql, name: string): Promise<number | undefined> {
    const [row] = await rows<{ version: number }>(sql, 'SELECT version FROM projection_state WHERE name = $1', [name]);
    return row?.version;
  }

  async setProjectionVersion(sql: Sql, name: string, version: number): Promise<void> {
    await sql.query(
      'INSERT INTO projection_state (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
      [name, version],
    );
  }
}
