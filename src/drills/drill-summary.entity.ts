import { Column, Entity, Index } from 'typeorm';

/** The drill summary projection: one row per drill, folded from its events. */
@Entity({ name: 'drills' })
@Index('drills_requested', ['requestedAt', 'id'])
@Index('drills_target_requested', ['target', 'requestedAt'])
@Index('drills_rank', ['status', 'totalMs', 'requestedAt', 'target'])
export class DrillRow {
  @Column({ type: 'varchar', length: 36, primary: true })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  scenario!: string;

  @Column({ type: 'varchar', length: 64 })
  target!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: string;

  @Column({ name: 'schedule_id', type: 'varchar', length: 36, nullable: true })
  scheduleId!: string | null;

  @Column({ type: 'varchar', length: 128 })
  actor!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'requested_at', type: 'varchar', length: 24 })
  requestedAt!: string;

  @Column({ name: 'started_at', type: 'varchar', length: 24, nullable: true })
  startedAt!: string | null;

  @Column({ name: 'finished_at', type: 'varchar', length: 24, nullable: true })
  finishedAt!: string | null;

  @Column({ name: 'total_ms', type: 'real', nullable: true })
  totalMs!: number | null;

  @Column({ name: 'kill_to_serving_ms', type: 'real', nullable: true })
  killToServingMs!: number | null;

  @Column({ name: 'kill_to_redundant_ms', type: 'real', nullable: true })
  killToRedundantMs!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The failback step, for scenarios that fail back. */
  @Column({ name: 'failback_ms', type: 'real', nullable: true })
  failbackMs!: number | null;

  /** The live probe's longest stretch without a successful write. */
  @Column({ name: 'client_rto_ms', type: 'real', nullable: true })
  clientRtoMs!: number | null;

  /** Acknowledged probe writes missing after the drill. */
  @Column({ name: 'lost_acked_writes', type: 'integer', nullable: true })
  lostAckedWrites!: number | null;

  /** The drill's options as requested, as JSON. */
  @Column({ type: 'text', default: '{}' })
  options!: string;

  /** The live probe's full report as JSON, or why it was lost. */
  @Column({ type: 'text', nullable: true })
  probe!: string | null;

  /** The servers and versions the drill found on the target's nodes (`ServersIdentified`), as JSON. */
  @Column({ type: 'text', nullable: true })
  servers!: string | null;

  /** Sequence of the last event folded into this row. */
  @Column({ type: 'integer' })
  version!: number;
}

/**
 * The step timings projection: one row per step of each drill's plan. It repeats the drill's
 * request time and target so that statistics over a window read one index, never the drills table.
 */
@Entity({ name: 'drill_steps' })
@Index('drill_steps_window', ['requestedAt', 'target', 'name', 'status', 'durationMs'])
@Index('drill_steps_rank', ['name', 'status', 'durationMs', 'requestedAt', 'target'])
export class DrillStepRow {
  @Column({ name: 'drill_id', type: 'varchar', length: 36, primary: true })
  drillId!: string;

  @Column({ type: 'varchar', length: 16, primary: true })
  name!: string;

  /** The drill's request time. */
  @Column({ name: 'requested_at', type: 'varchar', length: 24 })
  requestedAt!: string;

  /** The drill's target. */
  @Column({ type: 'varchar', length: 64 })
  target!: string;

  /** Place of the step in the plan, from 0. */
  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'started_at', type: 'varchar', length: 24, nullable: true })
  startedAt!: string | null;

  @Column({ name: 'finished_at', type: 'varchar', length: 24, nullable: true })
  finishedAt!: string | null;

  @Column({ name: 'duration_ms', type: 'real', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
