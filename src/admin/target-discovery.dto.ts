import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export class DiscoverTargetDto {
  /** The name the target gets: 1–64 lowercase letters, digits, ".", "_" or "-". */
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_.-]{0,63}$/, { message: 'name must be 1–64 lowercase letters, digits, ".", "_" or "-"' })
  name!: string;

  /** A Compose project: its containers carry `com.docker.compose.project=<project>`. Give this or `label`. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,127}$/, { message: 'project must be a Compose project name' })
  project?: string;

  /** A container label, `key=value`, that the target's containers carry. Give this or `project`. */
  @IsOptional()
  @IsString()
  @Matches(/^[\w.\-/]{1,128}=.{1,128}$/, { message: 'label must be key=value' })
  label?: string;

  /** One node of the cluster, `host:port`, that the service reaches. */
  @IsString()
  @Matches(/^[\w.:-]{1,253}:\d{1,5}$/, { message: 'node must be host:port' })
  node!: string;
}

export class DiscoveredNodeDto {
  /** The node's name: its container's name less what every container's name shares. */
  name!: string;
  /** The address the cluster announces for it, or its container's address when it is in no cluster. */
  host!: string;
  /** Its Redis port. */
  port!: number;
  /** The container that runs it. */
  containerName!: string;
}

export class DiscoveredLabelDto {
  /** The label's key. */
  key!: string;
  /** The label's value. */
  value!: string;
}

export class DiscoveredGroupsDto {
  /** Group A: masters first, then their replicas (or standbys, then spares), in shard order. */
  A!: DiscoveredNodeDto[];
  /** Group B, in the same order. */
  B!: DiscoveredNodeDto[];
}

/** An entry of `targets` in a targets file, as it is written. */
export class DiscoveredTargetEntryDto {
  /** The target's name, as the request gave it. */
  name!: string;
  /** The label every container of the target carries. */
  containerLabel!: DiscoveredLabelDto;
  /** Where the nodes keep their cluster config inside their containers. */
  clusterConfigFile!: string;
  /** The two groups. */
  groups!: DiscoveredGroupsDto;
}

export class DiscoveredTargetDto {
  /** The group whose masters serve the slots now; a drill fails it over to the other. */
  @ApiProperty({ enum: ['A', 'B'] })
  servingGroup!: 'A' | 'B';
  /** The serving masters by node name, in slot order. */
  masters!: string[];
  /** Their replicas in the serving group, in the same order. */
  replicas!: string[];
  /** The other group's nodes that replicate those masters and will take over, in the same order. */
  standbys!: string[];
  /** The other group's nodes in no cluster, which become the new masters' replicas. */
  spares!: string[];
  /** The entry to put in the targets file's `targets`. */
  entry!: DiscoveredTargetEntryDto;
}
