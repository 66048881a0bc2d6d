import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One row of the append-only audit log: an event in one stream (see `EventStreamRow` for its kind). */
@Entity({ name: 'drill_events' })
@Index('drill_events_stream', ['streamId', 'sequence'], { unique: true })
export class DrillEventRow {
  /** Global position: the order in which events were appended across all streams. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  position!: number;

  @Column({ name: 'stream_id', type: 'varchar', length: 36 })
  streamId!: string;

  /** Position within the event's own stream, from 1. */
  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  /** Version of the payload's shape for its type. */
  @Column({ name: 'schema_version', type: 'integer' })
  schemaVersion!: number;

  /** The event's payload as JSON. */
  @Column({ type: 'text' })
  data!: string;

  /** Who caused the event. */
  @Column({ type: 'varchar', length: 128 })
  actor!: string;

  /** ISO-8601 UTC time with milliseconds. */
  @Column({ name: 'occurred_at', type: 'varchar', length: 24 })
  occurredAt!: string;

  /** SHA-256 over this event's fields and the previous event's hash. */
  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** Which version of each projection its tables hold. */
@Entity({ name: 'projection_state' })
export class ProjectionStateRow {
  @Column({ type: 'varchar', length: 64, primary: true })
  name!: string;

  @Column({ type: 'integer' })
  version!: number;
}
