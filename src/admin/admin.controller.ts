import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { TargetNode } from '../targets/drill-target.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { TargetSummaryDto, TokenSummaryDto } from './admin.dto.js';

const nodeSummary = ({ name, host, port, containerName }: TargetNode) => ({ name, host, port, containerName });

/** What the configuration grants: the targets drills may act on and the tokens that may call the API. Read-only. */
@ApiTags('admin')
@Requires('admin')
@Controller('admin')
export class AdminController {
  constructor(
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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

  /** Every API token by name and role; secrets are never shown, and only their digests are kept. */
  @Get('tokens')
  listTokens(): TokenSummaryDto[] {
    return this.config.apiTokens.map(({ name, role }) => ({ name, role }));
  }
}
