import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { DrillTrigger } from './drill-events.js';
import { DrillServerDto } from './drill.dto.js';
import { DRILL_KINDS, type ScenarioName } from './scenarios.js';
import { DRILL_STATUSES, type DrillStatus } from './drill-state.js';

export class ListDrillsQueryDto {
  @IsOptional()
  @IsIn(DRILL_STATUSES)
  status?: DrillStatus;

  @IsOptional()
  @IsIn(DRILL_KINDS)
  scenario?: ScenarioName;

  /** Only drills of this target. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  /** Only drills requested at or after this ISO-8601 time. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Only drills requested at or before this ISO-8601 time. */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Page size, 1 to 200. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class DrillListItemDto {
  /** The drill's id (a UUID). */
  id!: string;
  /** The target drilled, by name. */
  target!: string;
  /** The drill's scenario. */
  scenario!: ScenarioName;
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
  /** The whole drill, in milliseconds. */
  totalMs?: number;
  /** From the kill to the new masters serving all slots. */
  killToServingMs?: number;
  /** From the kill to every new master having a synced replica. */
  killToRedundantMs?: number;
  /** The failback step, for scenarios that fail back. */
  failbackMs?: number;
  /** The live probe's longest stretch without a successful write. */
  clientRtoMs?: number;
  /** Acknowledged probe writes missing after the drill. */
  lostAckedWrites?: number;
  /** Why the drill failed (`refused: …` when a preflight check failed) or was aborted (`aborted: …`). */
  error?: string;
  /** The servers and versions the drill found on the target's nodes; absent until `prepare` has read them. */
  servers?: DrillServerDto[];
}

export class DrillListDto {
  /** Newest first. */
  items!: DrillListItemDto[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}
