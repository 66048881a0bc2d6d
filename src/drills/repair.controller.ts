import { Body, Controller, HttpStatus, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { CallerOf, type Caller } from '../auth/caller.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { RepairDto, RepairTargetDto } from './repair.dto.js';
import { RepairService } from './repair.service.js';

@ApiTags('targets')
@Requires('operator')
@Controller('targets')
export class RepairController {
  constructor(@Inject(RepairService) private readonly repairs: RepairService) {}

  /**
   * Reads the target's cluster, containers and log, and says what keeps it from being ready for a
   * failover drill, in the readiness check's words. With `dryRun`, lists what a repair would do and
   * changes nothing. Otherwise queues a `repair` drill (202) that finishes the half-done failover or
   * failback and records every action in its own stream; a target that is ready is left alone (200).
   */
  @Post(':name/repair')
  @ApiOkResponse({ type: RepairDto, description: 'A dry run, or a target with nothing to repair: nothing was changed or recorded.' })
  @ApiAcceptedResponse({ type: RepairDto, description: 'A repair drill was queued; `drillId` names it.' })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'An unknown target, or an unknown field.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'Another drill holds the target; `runningDrillId` names it.' })
  @ApiResponse({ status: HttpStatus.LOCKED, type: ErrorBodyDto, description: 'Drills are halted (`POST /api/safety/halt`).' })
  @ApiResponse({
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    type: ErrorBodyDto,
    description: 'The target is not ready and repair cannot fix what it found (the message says why), or a preflight check failed.',
  })
  async repair(
    @Param('name') name: string,
    @Body() body: RepairTargetDto,
    @CallerOf() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RepairDto> {
    const answer = await this.repairs.repair(name, body.dryRun ?? false, caller.name);
    response.status(answer.drillId ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return {
      ...answer,
      actions: answer.actions.map(({ kind, description, nodes }) => ({ kind, description, nodes })),
    };
  }
}
