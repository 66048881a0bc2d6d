import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { SCENARIOS, type ScenarioName } from '../drills/scenarios.js';
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

  /** The drill to run each time the schedule fires. */
  @IsIn(SCENARIOS)
  scenario!: ScenarioName;

  /** How each drill it starts runs; each option left out takes its default. */
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
  /** A new name, unique. */
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

  /** A new IANA time zone for `cron`. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tz?: string;

  /** A new target, by name. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  /** A new scenario. */
  @IsOptional()
  @IsIn(SCENARIOS)
  scenario?: ScenarioName;

  /** New options; they replace the old ones whole. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleOptionsDto)
  options?: ScheduleOptionsDto;

  /** Whether the schedule fires. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ScheduleDto {
  /** The schedule's id (a UUID). */
  id!: string;
  /** Unique name. */
  name!: string;
  /** Cron pattern, read in `tz`; absent when the schedule uses `everyMs`. */
  cron?: string;
  /** Fixed interval in milliseconds; absent when the schedule uses `cron`. */
  everyMs?: number;
  /** IANA time zone `cron` is read in; `UTC` unless one was given. */
  tz!: string;
  /** The target its drills run on. */
  target!: string;
  /** The scenario its drills run. */
  scenario!: ScenarioName;
  /** How each drill it starts runs, as given; `{}` when none were. */
  options!: ScheduleOptionsDto;
  /** Whether the schedule fires. */
  enabled!: boolean;
  /** ISO-8601 time the schedule was created. */
  createdAt!: string;
  /** ISO-8601 time the schedule was last changed. */
  updatedAt!: string;
  /** The next three firings, ISO-8601; empty while the schedule is disabled. */
  nextRuns!: string[];
}

export class ScheduleChangesQueryDto {
  /** Only the changes of this schedule (a UUID); every schedule's when left out. */
  @IsOptional()
  @IsUUID('4')
  scheduleId?: string;
}

export class ScheduleDefinitionDto {
  /** Cron pattern, read in `tz`; null when the schedule uses `everyMs`. */
  cron!: string | null;
  /** Fixed interval in milliseconds; null when the schedule uses `cron`. */
  everyMs!: number | null;
  /** IANA time zone `cron` is read in. */
  tz!: string;
  /** The target its drills run on. */
  target!: string;
  /** The scenario its drills run. */
  scenario!: string;
  /** How each drill it starts runs, as given. */
  options!: ScheduleOptionsDto;
  /** Whether the schedule fires. */
  enabled!: boolean;
}

export class ScheduleChangeDto {
  /** Position of the change in the audit log, across all streams. */
  position!: number;
  /** What happened: `ScheduleCreated`, `ScheduleChanged` or `ScheduleDeleted`. */
  type!: string;
  /** The schedule's id (a UUID). */
  scheduleId!: string;
  /** The schedule's name after the change (before it, for a deletion). */
  name!: string;
  /** Who made the change: the API token's name. */
  actor!: string;
  /** ISO-8601 time of the change. */
  occurredAt!: string;
  /** For `ScheduleChanged`: the fields the request changed. */
  changed?: string[];
  /** For `ScheduleCreated` and `ScheduleChanged`: the schedule as it stood afterwards. */
  definition?: ScheduleDefinitionDto;
}
