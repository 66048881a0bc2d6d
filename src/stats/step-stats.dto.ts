import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import type { StepName } from '../drills/scenarios.js';

export class StepStatsQueryDto {
  /** Start of the window (drills requested at or after it), ISO-8601; 30 days before `to` when left out. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** End of the window, ISO-8601; now when left out. */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Only drills of this target. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;
}

export class DurationStatsDto {
  /** The shortest, in milliseconds. */
  min!: number;
  /** The median (nearest rank), in milliseconds. */
  p50!: number;
  /** The 95th percentile (nearest rank), in milliseconds. */
  p95!: number;
  /** The longest, in milliseconds. */
  max!: number;
}

export class OutcomeStatsDto {
  /** Finished runs in the window: succeeded or failed, and for whole drills also aborted. */
  count!: number;
  /** Share of those that succeeded, from 0 to 1. */
  successRate!: number;
  /** Milliseconds, over the runs that succeeded; absent when none did. */
  durationMs?: DurationStatsDto;
}

export class StepStatsDto extends OutcomeStatsDto {
  /** The step. */
  name!: StepName;
}

export class StepStatsReportDto {
  /** Start of the window applied, ISO-8601. */
  from!: string;
  /** End of the window applied, ISO-8601. */
  to!: string;
  /** The target filtered on; absent when all targets count. */
  target?: string;
  /** Whole drills. */
  drills!: OutcomeStatsDto;
  /** Each step, in plan order. */
  steps!: StepStatsDto[];
}
