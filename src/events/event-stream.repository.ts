import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteHandle } from '../database/sqlite.js';
import type { EventStreamRow } from './event-stream.entity.js';

/** The `event_streams` table: each stream's kind. Only the event store writes it, as a stream begins. */
export class EventStreamRepository {
  private readonly statements: {
    kind: Statement<[string], string>;
    insert: Statement<[EventStreamRow]>;
    all: Statement<[], EventStreamRow>;
  };

  constructor(dataSource: DataSource) {
    const db = sqliteHandle(dataSource);
    this.statements = {
      kind: db.prepare('SELECT kind FROM event_streams WHERE id = ?').pluck() as Statement<[string], string>,
      insert: db.prepare('INSERT INTO event_streams (id, kind) VALUES (@id, @kind)'),
      // In the order the streams began, as the log holds them.
      all: db.prepare(
        `SELECT s.id AS id, s.kind AS kind FROM event_streams AS s
         JOIN (SELECT stream_id, MIN(position) AS first FROM drill_events GROUP BY stream_id) AS e ON e.stream_id = s.id
         ORDER BY e.first`,
      ),
    };
  }

  kind(id: string): string | undefined {
    return this.statements.kind.get(id);
  }

  insert(stream: EventStreamRow): void {
    this.statements.insert.run(stream);
  }

  /** Every stream that holds events, in the order they began. */
  all(): EventStreamRow[] {
    return this.statements.all.all();
  }
}
