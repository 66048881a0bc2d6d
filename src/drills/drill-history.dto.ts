import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { StepName } from './drill-events.js';
import type { StepStatus } from './drill-state.js';

export class DrillEventsQueryDto {
  /** Only events after this sequence number; 0 from the start. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  /** Page size, 1 to 1000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DrillEventDto {
  /** Order of appends across all drills. */
  position!: number;
  /** Order within this drill's stream, from 1. */
  sequence!: number;
  type!: string;
  schemaVersion!: number;
  actor!: string;
  occurredAt!: string;
  /** SHA-256 over this event and the previous one's hash. */
  hash!: string;
  /** The event's payload. */
  data!: Record<string, unknown>;
}

export class DrillEventsPageDto {
  items!: DrillEventDto[];
  /** Pass as `after` for the next page; absent when the stream has no more events. */
  nextAfter?: number;
}

export class TimelineStepDto {
  name!: StepName;
  status!: StepStatus;
  /** Milliseconds from the drill's start to the step's start. */
  startOffsetMs!: number;
  /** Milliseconds from the drill's start to the step's end, once it ended. */
  endOffsetMs?: number;
  durationMs?: number;
  error?: string;
}

export class TimelineEventDto {
  sequence!: number;
  type!: string;
  /** Milliseconds from the drill's start. */
  offsetMs!: number;
  /** The step that was running when the event was recorded. */
  step?: StepName;
  data!: Record<string, unknown>;
}

export class DrillTimelineDto {
  drillId!: string;
  /** The time offsets count from: when the drill started, or was requested if it has not started. */
  origin!: string;
  steps!: TimelineStepDto[];
  /** Domain events (kills, promotions, …) in the order they were recorded. */
  events!: TimelineEventDto[];
}
