import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { ProbeReportDto } from '../probe/probe-report.dto.js';
import { DrillOptionsDto } from './drill-options.dto.js';
import { SCENARIOS, type DrillTrigger, type ScenarioName, type StepName } from './drill-events.js';
import type { DrillStatus, StepStatus } from './drill-state.js';

export class CreateDrillDto {
  /** The drill to run. */
  @IsIn(SCENARIOS)
  scenario!: ScenarioName;

  /** The cluster to drill, by its configured name; the lab when left out. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  /** When another drill holds the target: queue behind it instead of answering 409. */
  @IsOptional()
  @IsBoolean()
  waitForTarget?: boolean;

  /** Answer 200 with the drill's plan (as `POST /api/drills/plan` does) instead of running it: nothing is recorded or touched. */
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DrillOptionsDto)
  options?: DrillOptionsDto;
}

export class AbortDrillDto {
  /** Why the drill is stopped; it goes into the audit log. */
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class AbortAcceptedDto {
  id!: string;
  /** The drill's status when the abort was recorded; it stops at its next step boundary. */
  status!: DrillStatus;
  /** The reason recorded, which is the first one when the abort had already been asked for. */
  reason!: string;
}

export class DrillAcceptedDto {
  /** The drill's id, for `GET /api/drills/{id}`. */
  id!: string;
  status!: 'queued';
}

export class DrillStepDto {
  name!: StepName;
  status!: StepStatus;
  /** ISO-8601 time the step began. */
  startedAt?: string;
  finishedAt?: string;
  /** How long the step took, in milliseconds, measured with a monotonic clock. */
  durationMs?: number;
  /** Why the step failed. */
  error?: string;
}

export class DrillTimingsDto {
  /** From the kill being issued to the new masters serving all 16384 slots (cluster_state:ok). */
  killToServingMs?: number;
  /** From the kill being issued to every new master having a synced replica. */
  killToRedundantMs?: number;
  /** The failback step, for scenarios that fail back. */
  failbackMs?: number;
  /** The whole drill, from its start to its last step's end. */
  totalMs?: number;
}

export class DrillDto {
  id!: string;
  scenario!: ScenarioName;
  target!: string;
  /** What started the drill. */
  trigger!: DrillTrigger;
  /** The schedule that started it, when one did. */
  scheduleId?: string;
  status!: DrillStatus;
  requestedAt!: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why the drill failed, when it did. */
  error?: string;
  /** Every step of the plan, in order: prepare, kill, takeover, forget, meet, replicate, verify. */
  steps!: DrillStepDto[];
  timings!: DrillTimingsDto;
  options!: DrillOptionsDto;
  /** What the live client probe saw, once the drill has ended. */
  probe?: ProbeReportDto;
  /** Why there is no probe report although a probe ran. */
  probeLost?: string;
}
