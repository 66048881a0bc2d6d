import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { CallerOf, type Caller } from '../auth/caller.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { uuidPipeOptions } from '../common/uuid-pipe.js';
import { DrillEventsPageDto, DrillEventsQueryDto, DrillTimelineDto } from './drill-history.dto.js';
import { DrillHistory } from './drill-history.service.js';
import { DrillListDto, ListDrillsQueryDto } from './drill-list.dto.js';
import { AbortAcceptedDto, AbortDrillDto, CreateDrillDto, DrillAcceptedDto, DrillDto } from './drill.dto.js';
import { DrillService } from './drill.service.js';
import { DrillPlanDto } from './drill-plan.dto.js';
import { DrillPlanner } from './drill-planner.js';

const drillId = new ParseUUIDPipe(uuidPipeOptions('id'));

@ApiTags('drills')
@ApiExtraModels(DrillPlanDto)
@Requires('viewer')
@Controller('drills')
export class DrillController {
  constructor(
    @Inject(DrillService) private readonly drills: DrillService,
    @Inject(DrillHistory) private readonly history: DrillHistory,
    @Inject(DrillPlanner) private readonly planner: DrillPlanner,
  ) {}

  /**
   * Queues a drill; it runs on a worker and its progress shows at `GET /api/drills/{id}`. With
   * `dryRun`, answers 200 with its plan instead and does nothing else.
   */
  @Post()
  @Requires('operator')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: DrillAcceptedDto })
  @ApiOkResponse({ schema: { $ref: getSchemaPath(DrillPlanDto) }, description: 'A dry run: the plan; nothing was recorded or touched.' })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'An unknown scenario or target, or an unknown field.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'Another drill holds the target; `runningDrillId` names it.' })
  @ApiResponse({ status: HttpStatus.LOCKED, type: ErrorBodyDto, description: 'Drills are halted (`POST /api/safety/halt`).' })
  @ApiResponse({
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    type: ErrorBodyDto,
    description:
      'A preflight check failed: the Docker engine does not answer, or a container of the target is missing or unlabelled; `failedChecks` lists them.',
  })
  @ApiResponse({
    status: HttpStatus.SERVICE_UNAVAILABLE,
    type: ErrorBodyDto,
    description: "The audit log's database is unavailable (PostgreSQL down): nothing was recorded or queued.",
  })
  async create(
    @Body() body: CreateDrillDto,
    @CallerOf() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DrillAcceptedDto | DrillPlanDto> {
    if (body.dryRun) {
      response.status(HttpStatus.OK);
      return this.planner.plan(body);
    }
    const { id } = await this.drills.request({
      scenario: body.scenario,
      target: body.target,
      trigger: 'manual',
      actor: caller.name,
      waitForTarget: body.waitForTarget ?? false,
      ...(body.options ? { options: { ...body.options } } : {}),
    });
    return { id, status: 'queued' };
  }

  /**
   * The exact ordered operations a drill would carry out now: which containers it would kill or
   * start and which Redis commands it would send to which nodes. Reads the cluster to find the
   * group that serves; changes nothing, records nothing.
   */
  @Post('plan')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: DrillPlanDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'An unknown scenario or target, or an unknown field.' })
  plan(@Body() body: CreateDrillDto): Promise<DrillPlanDto> {
    return this.planner.plan(body);
  }

  /**
   * Stops a drill at its next step boundary. Before the kill that leaves the target untouched;
   * after it, the drill finishes the failover so that the target ends healthy, and ends `aborted`.
   */
  @Post(':id/abort')
  @Requires('operator')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AbortAcceptedDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'The drill has already finished.' })
  async abort(@Param('id', drillId) id: string, @Body() body: AbortDrillDto, @CallerOf() caller: Caller): Promise<AbortAcceptedDto> {
    const state = await this.drills.abort(id, body.reason, caller.name);
    return { id, status: state.status, reason: state.abortRequested!.reason };
  }

  /** Drill history, newest first, with each drill's headline timings. */
  @Get()
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A filter that is not valid; the message names it.' })
  async list(@Query() query: ListDrillsQueryDto): Promise<DrillListDto> {
    return this.history.list(query);
  }

  /** A drill's status and every step with its timing. */
  @Get(':id')
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  async get(@Param('id', drillId) id: string): Promise<DrillDto> {
    return this.history.drill(id);
  }

  /** The drill's raw event stream from the audit log, a page at a time. */
  @Get(':id/events')
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  events(@Param('id', drillId) id: string, @Query() query: DrillEventsQueryDto): Promise<DrillEventsPageDto> {
    return this.history.events(id, query.after, query.limit);
  }

  /** Steps and domain events on one time axis, in milliseconds from the drill's start, ready for a chart. */
  @Get(':id/timeline')
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  timeline(@Param('id', drillId) id: string): Promise<DrillTimelineDto> {
    return this.history.timeline(id);
  }
}
