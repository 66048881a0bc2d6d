import type { Sql } from '../database/postgres.js';
import type { EventStreamRow } from './event-stream.entity.js';
import type { RecordedEvent } from './recorded-event.js';

/**
 * A read model kept in PostgreSQL tables beside the log: `Projection` with the append's open
 * transaction passed in, since PostgreSQL is reached asynchronously.
 */
export interface PostgresProjection {
  readonly name: string;
  /** Bump when the tables or their meaning change: the store rebuilds the projection at boot. */
  readonly version: number;
  /** Brings the tables up to date with events just appended to one stream, inside the append's transaction. */
  apply(transaction: Sql, stream: EventStreamRow, appended: readonly RecordedEvent[]): Promise<void>;
  reset(transaction: Sql): Promise<void>;
}
