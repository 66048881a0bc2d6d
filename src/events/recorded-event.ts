/** An event as a domain writes it: a type name, a JSON-serialisable payload and the payload's schema version. */
export interface NewEvent {
  readonly type: string;
  readonly data: object;
  /** Version of the payload's shape for this type; 1 unless the type's payload changed. */
  readonly schemaVersion?: number;
  /** Who caused this event, when not whoever the append is made for: the service itself, say. */
  readonly actor?: string;
}

/** An event as the log holds it. */
export type RecordedEvent<E extends NewEvent = NewEvent> = E & {
  readonly streamId: string;
  /** Order of appends across all streams, from 1. */
  readonly position: number;
  /** Order within its stream, from 1. */
  readonly sequence: number;
  readonly schemaVersion: number;
  /** Who caused the event: an API token's name, `schedule:<id>` for a scheduled drill, or the service's own (`stop-condition`, `webhooks`). */
  readonly actor: string;
  readonly occurredAt: string;
  /** SHA-256 over this event and the previous event's hash. */
  readonly hash: string;
};
