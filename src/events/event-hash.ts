import { createHash } from 'node:crypto';

/** The hash the first event of the log chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything an event's hash covers: all its stored fields and the hash of the event before it. */
export interface HashedFields {
  readonly position: number;
  readonly streamId: string;
  readonly sequence: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** The payload exactly as stored (JSON text), so that re-serialising cannot change the hash. */
  readonly data: string;
  readonly actor: string;
  readonly occurredAt: string;
}

/** SHA-256 over the previous hash and every stored field, as a JSON array so that no field can bleed into another. */
export function eventHash(previousHash: string, fields: HashedFields): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        previousHash,
        fields.position,
        fields.streamId,
        fields.sequence,
        fields.type,
        fields.schemaVersion,
        fields.data,
        fields.actor,
        fields.occurredAt,
      ]),
    )
    .digest('hex');
}
