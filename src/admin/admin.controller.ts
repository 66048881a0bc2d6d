import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { TargetNode } from '../targets/drill-target.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { TargetSummaryDto, TokenSummaryDto } from './admin.dto.js';
import { DiscoveredTargetDto, DiscoverTargetDto } from './target-discovery.dto.js';
import { TargetDiscoveryService } from './target-discovery.service.js';

const nodeSummary = ({ name, host, port, containerName }: TargetNode) => ({ name, host, port, containerName });

/** What the configuration grants: the targets drills may act on and the tokens that may call the API. Read-only. */
@ApiTags('admin')
@Requires('admin')
@Controller('admin')
export class AdminController {
  constructor(
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TargetDiscoveryService) private readonly discovery: TargetDiscoveryService,
  ) {}

  /** Every target, with the nodes and containers a drill on it may touch. */
  @Get('targets')
  listTargets(): TargetSummaryDto[] {
    return this.targets.names().map((name) => {
      const target = this.targets.get(name);
      return {
        name,
        isDefault: name === this.targets.defaultTarget,
        containerLabel: `${target.containerLabel.key}=${target.containerLabel.value}`,
        groupA: target.groups.A.map(nodeSummary),
        groupB: target.groups.B.map(nodeSummary),
      };
    });
  }

  /**
   * A targets-file entry for a cluster already running in containers, found from their label (or
   * Compose project) on the service's Docker engine and one node's `CLUSTER NODES`: which group
   * serves, its masters and replicas in shard order, the standbys that replicate them, the spares.
   * A dry answer: it reads, and changes nothing, not even this service's targets.
   */
  @Post('targets/discover')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: DiscoveredTargetDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'Neither or both of project and label, or a malformed field.' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDto,
    description: 'The node does not answer, or the containers and the cluster do not make a target.',
  })
  discoverTarget(@Body() body: DiscoverTargetDto): Promise<DiscoveredTargetDto> {
    return this.discovery.discover(body);
  }

  /** Every API token by name and role; secrets are never shown, and only their digests are kept. */
  @Get('tokens')
  listTokens(): TokenSummaryDto[] {
    return this.config.apiTokens.map(({ name, role }) => ({ name, role }));
  }
}
