import { IsBoolean, IsOptional } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { REPAIR_ACTION_KINDS, type RepairActionKind } from './repair-actions.js';
import type { GroupName } from '../targets/drill-target.js';

export class RepairTargetDto {
  /** List what the repair would do and change nothing, record nothing. */
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class RepairActionDto {
  /** Which part of a drill's code the action runs. */
  @ApiProperty({ enum: REPAIR_ACTION_KINDS })
  kind!: RepairActionKind;
  /** What it does, in words. */
  description!: string;
  /** The nodes it acts on, by name. */
  nodes!: string[];
}

export class RepairDto {
  /** The target, by name. */
  target!: string;
  /** True when the readiness check finds nothing wrong: nothing was (or would be) done, and no drill recorded. */
  ready!: boolean;
  /** What is wrong, in the readiness check's words. */
  findings!: string[];
  /** The group whose masters serve the slots, when one does. */
  @ApiProperty({ enum: ['A', 'B'], required: false })
  serving?: GroupName;
  /** What the repair does (or, in a dry run, would do), in order. */
  actions!: RepairActionDto[];
  /** Why the repair cannot fix what it found; then there are no actions. */
  blocked?: string;
  /** True for a dry run: nothing was changed or recorded. */
  dryRun!: boolean;
  /** The repair drill's id, when one was queued: its progress shows at `GET /api/drills/{id}`. */
  drillId?: string;
  /** `queued` when a repair drill was queued. */
  status?: 'queued';
}
