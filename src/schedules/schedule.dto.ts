import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { SCENARIOS, type ScenarioName } from '../drills/drill-events.js';
import { DrillOptionsDto } from '../drills/drill-options.dto.js';

export class ScheduleOptionsDto extends DrillOptionsDto {
  /** When another drill holds the target at firing time: wait for it instead of failing this one. */
  @IsOptional()
  @IsBoolean()
  waitForTarget?: boolean;
}

export class CreateScheduleDto {
  /** Unique name. */
  @IsString()
  @Length(1, 100)
  name!: string;

  /** Cron pattern (5 or 6 fields), read in `tz`. Give this or `everyMs`. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  cron?: string;

  /** Fixed interval in milliseconds. Give this or `cron`. */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(366 * 24 * 3600 * 1000)
  everyMs?: number;

  /** IANA time zone for `cron`; UTC when left out. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tz?: string;

  /** The target to drill; the lab when left out. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @IsIn(SCENARIOS)
  scenario!: ScenarioName;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleOptionsDto)
  options?: ScheduleOptionsDto;

  /** Whether the schedule fires; true when left out. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateScheduleDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  /** A new cron pattern; replaces `everyMs`. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  cron?: string;

  /** A new interval; replaces `cron`. */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(366 * 24 * 3600 * 1000)
  everyMs?: number;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  tz?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @IsOptional()
  @IsIn(SCENARIOS)
  scenario?: ScenarioName;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleOptionsDto)
  options?: ScheduleOptionsDto;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ScheduleDto {
  id!: string;
  name!: string;
  cron?: string;
  everyMs?: number;
  tz!: string;
  target!: string;
  scenario!: ScenarioName;
  options!: ScheduleOptionsDto;
  enabled!: boolean;
  createdAt!: string;
  updatedAt!: string;
  /** The next three firings, ISO-8601; empty while the schedule is disabled. */
  nextRuns!: string[];
}
