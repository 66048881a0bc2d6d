import type { DrillEventRow } from './drill-event.entity.js';
import type { EventStreamRow } from './event-stream.entity.js';
import type { NewEvent, RecordedEvent } from './recorded-event.js';

/**
 * What everyone but the event store reads from the audit log, whichever database holds it. The
 * SQLite and PostgreSQL repositories implement it; services inject this class.
 */
export abstract class DrillEventReader {
  /** The last event's position; 0 for an empty log. Moves with every append, so it tells whether anything changed. */
  abstract headPosition(): Promise<number>;

  abstract stream<E extends NewEvent>(streamId: string): Promise<RecordedEvent<E>[]>;

  /** Up to `limit` events of a stream that come after `afterSequence`. */
  abstract page<E extends NewEvent>(streamId: string, afterSequence: number, limit: number): Promise<RecordedEvent<E>[]>;

  /** Every row as stored, in append order, read a part at a time: for checking the hash chain. */
  abstract inAppendOrder(): AsyncIterable<DrillEventRow>;

  /** Every stream that holds events, with its kind, in the order the streams began. */
  abstract streams(): Promise<EventStreamRow[]>;

  /** The highest position the log ever reached, even if events were since removed; undefined before the first append. */
  abstract highestPositionEverUsed(): Promise<number | undefined>;
}
