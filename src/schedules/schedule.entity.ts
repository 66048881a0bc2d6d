import { Column, Entity, Index } from 'typeorm';

/** A recurring drill as its owner defined it; the BullMQ job scheduler of the same id fires it. */
@Entity({ name: 'schedules' })
@Index('schedules_name', ['name'], { unique: true })
export class ScheduleRow {
  @Column({ type: 'varchar', length: 36, primary: true })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** A cron pattern; null when the schedule repeats every `every_ms`. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  cron!: string | null;

  @Column({ name: 'every_ms', type: 'integer', nullable: true })
  everyMs!: number | null;

  /** IANA time zone the cron pattern is read in. */
  @Column({ type: 'varchar', length: 64 })
  tz!: string;

  @Column({ type: 'varchar', length: 64 })
  target!: string;

  @Column({ type: 'varchar', length: 32 })
  scenario!: string;

  /** The drill options, as JSON. */
  @Column({ type: 'text' })
  options!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 24 })
  updatedAt!: string;
}
