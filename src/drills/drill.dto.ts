import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { ProbeReportDto } from '../probe/probe-report.dto.js';
import { DrillOptionsDto } from './drill-options.dto.js';
import type { DrillTrigger } from './drill-events.js';
import { SCENARIOS, type ScenarioName, type StepName } from './scenarios.js';
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

  /** How the drill runs; each option left out takes its default. */
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
  /** The drill's id. */
  id!: string;
  /** The drill's status when the abort was recorded; it stops at its next step boundary. */
  status!: DrillStatus;
  /** The reason recorded, which is the first one when the abort had already been asked for. */
  reason!: string;
}

export class DrillAcceptedDto {
  /** The drill's id, for `GET /api/drills/{id}`. */
  id!: string;
  /** Always `queued`: a worker picks the drill up. */
  status!: 'queued';
}

export class DrillStepDto {
  /** The step. */
  name!: StepName;
  /** `pending` until it runs, `running`, then `succeeded` or `failed`; `skipped` when an abort or a failed preflight left it out. */
  status!: StepStatus;
  /** ISO-8601 time the step began. */
  startedAt?: string;
  /** ISO-8601 time the step succeeded or failed; absent until then. */
  finishedAt?: string;
  /** How long the step took, in milliseconds, measured with a monotonic clock. */
  durationMs?: number;
  /** Why the step failed. */
  error?: string;
}

export class DrillServerDto {
  /** `redis` or `valkey`, as the node names itself (`server_name` in `INFO server`, Redis has none). */
  server!: string;
  /** The server's own version: `valkey_version` on Valkey, which reports `redis_version:7.2.4` for clients that test it. */
  version!: string;
  /** The target's nodes that run this server and version. */
  nodes!: string[];
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
  /** The drill's id (a UUID). */
  id!: string;
  /** The drill's scenario. */
  scenario!: ScenarioName;
  /** The target drilled, by name. */
  target!: string;
  /** What started the drill. */
  trigger!: DrillTrigger;
  /** The schedule that started it, when one did. */
  scheduleId?: string;
  /** `queued` until a worker starts it, `running`, then `succeeded`, `failed` or `aborted`. */
  status!: DrillStatus;
  /** ISO-8601 time the drill was requested. */
  requestedAt!: string;
  /** ISO-8601 time a worker started it; absent while queued, and when it ended before starting. */
  startedAt?: string;
  /** ISO-8601 time it succeeded, failed or was aborted; absent until then. */
  finishedAt?: string;
  /** Why the drill failed, when it did. */
  error?: string;
  /** Every step of the scenario's plan, in order; empty until a worker starts the drill. */
  steps!: DrillStepDto[];
  /** Headline durations, in milliseconds; each is absent until measured. */
  timings!: DrillTimingsDto;
  /** The options as requested, defaults not filled in; `{}` when none were given. */
  options!: DrillOptionsDto;
  /** What the live client probe saw, once the drill has ended. */
  probe?: ProbeReportDto;
  /** Why there is no probe report although a probe ran. */
  probeLost?: string;
  /** The servers and versions the drill found on the target's nodes before it touched any; absent until `prepare` has read them. */
  servers?: DrillServerDto[];
}
