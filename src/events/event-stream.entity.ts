import { Column, Entity } from 'typeorm';

/** One stream of the audit log, and its kind, recorded by the append that began it. */
@Entity({ name: 'event_streams' })
export class EventStreamRow {
  @Column({ type: 'varchar', length: 64, primary: true })
  id!: string;

  /** What the stream is about, such as `drill`: projections keep the kinds they fold. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;
}
