import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../auth/api-tokens.js';

export class TokenSummaryDto {
  name!: string;
  @ApiProperty({ enum: ROLES })
  role!: Role;
}

export class TargetNodeDto {
  name!: string;
  host!: string;
  port!: number;
  containerName!: string;
}

export class TargetSummaryDto {
  name!: string;
  /** Drills use this target when a request names none. */
  isDefault!: boolean;
  /** The label every container of the target must carry, as `key=value`. */
  containerLabel!: string;
  /** Masters first, then their replicas, in shard order. */
  groupA!: TargetNodeDto[];
  groupB!: TargetNodeDto[];
}
