import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../auth/api-tokens.js';

export class TokenSummaryDto {
  /** The token's name, recorded as the actor of what it does. */
  name!: string;
  /** `viewer` reads; `operator` also runs, aborts and schedules drills; `admin` also halts and releases drills and reads the configuration. */
  @ApiProperty({ enum: ROLES })
  role!: Role;
}

export class TargetNodeDto {
  /** The node's name, as plans and events give it. */
  name!: string;
  /** Its address, as the service reaches it. */
  host!: string;
  /** Its Redis port. */
  port!: number;
  /** The container that runs it. */
  containerName!: string;
}

export class TargetSummaryDto {
  /** The target's name, as requests give it. */
  name!: string;
  /** Drills use this target when a request names none. */
  isDefault!: boolean;
  /** The label every container of the target must carry, as `key=value`. */
  containerLabel!: string;
  /** Masters first, then their replicas, in shard order. */
  groupA!: TargetNodeDto[];
  /** The other group, in the same order as `groupA`. */
  groupB!: TargetNodeDto[];
}
