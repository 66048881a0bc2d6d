import type { EventStreamRow } from './event-stream.entity.js';
import type { RecordedEvent } from './recorded-event.js';

/**
 * A read model kept in tables beside the log, written through its own repository. `apply` runs
 * inside the append's own transaction, so that the tables never disagree with the events; `reset`
 * empties the tables before a rebuild from the events alone.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the tables or their meaning change: the store rebuilds the projection at boot. */
  readonly version: number;
  /** Brings the tables up to date with events just appended to one stream; streams of kinds it does not keep are passed over. */
  apply(stream: EventStreamRow, appended: readonly RecordedEvent[]): void;
  reset(): void;
}
