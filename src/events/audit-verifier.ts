import { eventHash, GENESIS_HASH } from './event-hash.js';
import type { DrillEventReader } from './drill-event.reader.js';

export interface BrokenLink {
  readonly position: number;
  readonly drillId: string;
  readonly sequence: number;
  readonly problem: string;
}

export interface AuditReport {
  /** True when every event matches its hash and its predecessor, and nothing is missing. */
  readonly intact: boolean;
  readonly eventsChecked: number;
  /** The last event's position and hash: record it elsewhere to detect a log cut short later. */
  readonly head: { readonly position: number; readonly hash: string } | null;
  readonly firstBrokenLink: BrokenLink | null;
}

/**
 * Walks the whole log in append order and recomputes every hash. An edited event breaks its own
 * hash; a deleted one breaks its successor's, leaves a gap in the positions and in its drill's
 * sequence; events cut off the end leave the store's record of the highest position ever used above
 * the last one. Leaving the loop early closes the reader's cursor.
 */
export async function verifyAuditChain(events: Pick<DrillEventReader, 'inAppendOrder' | 'highestPositionEverUsed'>): Promise<AuditReport> {
  let previousHash = GENESIS_HASH;
  let previousPosition = 0;
  let checked = 0;
  const lastSequence = new Map<string, number>();
  for await (const row of events.inAppendOrder()) {
    const broken = (problem: string): AuditReport => ({
      intact: false,
      eventsChecked: checked,
      head: null,
      firstBrokenLink: { position: row.position, drillId: row.streamId, sequence: row.sequence, problem },
    });
    if (row.position !== previousPosition + 1) {
      return broken(`position ${row.position} follows ${previousPosition}: events between them are missing`);
    }
    const expectedSequence = (lastSequence.get(row.streamId) ?? 0) + 1;
    if (row.sequence !== expectedSequence) {
      return broken(`sequence ${row.sequence} where the drill's stream continues at ${expectedSequence}`);
    }
    const expected = eventHash(previousHash, row);
    if (expected !== row.hash) {
      return broken('the stored hash does not match the event and the hash before it: the event or its predecessor was changed');
    }
    previousHash = row.hash;
    previousPosition = row.position;
    lastSequence.set(row.streamId, row.sequence);
    checked++;
  }
  const highest = await events.highestPositionEverUsed();
  if (highest !== undefined && highest > previousPosition) {
    return {
      intact: false,
      eventsChecked: checked,
      head: null,
      firstBrokenLink: {
        position: previousPosition + 1,
        drillId: '',
        sequence: 0,
        problem: `the log once reached position ${highest} but now ends at ${previousPosition}: events at its end were removed`,
      },
    };
  }
  return {
    intact: true,
    eventsChecked: checked,
    head: checked === 0 ? null : { position: previousPosition, hash: previousHash },
    firstBrokenLink: null,
  };
}
