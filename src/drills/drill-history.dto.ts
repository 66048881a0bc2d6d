import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { StepName } from './scenarios.js';
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
  /** The event's type, e.g. `DrillRequested` or `NodeKilled`. */
  type!: string;
  /** Version of the payload's shape for this type; 1 unless that payload changed. */
  schemaVersion!: number;
  /** Who caused the event: an API token's name, `schedule:<id>` for a scheduled drill, or the service (`stop-condition`, `webhooks`). */
  actor!: string;
  /** ISO-8601 time the event was recorded. */
  occurredAt!: string;
  /** SHA-256 over this event and the previous one's hash. */
  hash!: string;
  /** The event's payload. */
  data!: Record<string, unknown>;
}

export class DrillEventsPageDto {
  /** Events in stream order, from sequence `after` + 1. */
  items!: DrillEventDto[];
  /** Pass as `after` for the next page; absent when the stream has no more events. */
  nextAfter?: number;
}

export class TimelineStepDto {
  /** The step. */
  name!: StepName;
  /** `running`, `succeeded` or `failed`; `skipped` for a failed step an abort's recovery did not run again. */
  status!: StepStatus;
  /** Milliseconds from the drill's start to the step's start. */
  startOffsetMs!: number;
  /** Milliseconds from the drill's start to the step's end, once it ended. */
  endOffsetMs?: number;
  /** How long the step took, in milliseconds; absent while it runs. */
  durationMs?: number;
  /** Why the step failed. */
  error?: string;
}

export class TimelineEventDto {
  /** Order within the drill's stream, from 1. */
  sequence!: number;
  /** The event's type; step starts and ends are not listed here but in `steps`. */
  type!: string;
  /** Milliseconds from the drill's start. */
  offsetMs!: number;
  /** The step that was running when the event was recorded. */
  step?: StepName;
  /** The event's payload. */
  data!: Record<string, unknown>;
}

export class DrillTimelineDto {
  /** The drill's id. */
  drillId!: string;
  /** The time offsets count from: when the drill started, or was requested if it has not started. */
  origin!: string;
  /** The steps that have started, in plan order. */
  steps!: TimelineStepDto[];
  /** Domain events (kills, promotions, …) in the order they were recorded. */
  events!: TimelineEventDto[];
}
