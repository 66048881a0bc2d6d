import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/error-body.dto.js';
import { uuidPipeOptions } from '../common/uuid-pipe.js';
import { DrillEventsPageDto, DrillEventsQueryDto, DrillTimelineDto } from './drill-history.dto.js';
import { DrillHistory } from './drill-history.service.js';
import { DrillListDto, ListDrillsQueryDto } from './drill-list.dto.js';
import { AbortAcceptedDto, AbortDrillDto, CreateDrillDto, DrillAcceptedDto, DrillDto } from './drill.dto.js';
import { DrillService } from './drill.service.js';

const drillId = new ParseUUIDPipe(uuidPipeOptions('id'));

@ApiTags('drills')
@Controller('drills')
export class DrillController {
  constructor(
    @Inject(DrillService) private readonly drills: DrillService,
    @Inject(DrillHistory) private readonly history: DrillHistory,
  ) {}

  /** Queues a drill; it runs on a worker and its progress shows at `GET /api/drills/{id}`. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: DrillAcceptedDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'An unknown scenario or target, or an unknown field.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'Another drill holds the target; `runningDrillId` names it.' })
  async create(@Body() body: CreateDrillDto): Promise<DrillAcceptedDto> {
    const { id } = await this.drills.request({
      scenario: body.scenario,
      target: body.target,
      trigger: 'manual',
      waitForTarget: body.waitForTarget ?? false,
      ...(body.options ? { options: { ...body.options } } : {}),
    });
    return { id, status: 'queued' };
  }

  /**
   * Stops a drill at its next step boundary. Before the kill that leaves the target untouched;
   * after it, the drill finishes the failover so that the target ends healthy, and ends `aborted`.
   */
  @Post(':id/abort')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: AbortAcceptedDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'The drill has already finished.' })
  async abort(@Param('id', drillId) id: string, @Body() body: AbortDrillDto): Promise<AbortAcceptedDto> {
    const state = await this.drills.abort(id, body.reason);
    return { id, status: state.status, reason: state.abortRequested!.reason };
  }

  /** Drill history, newest first, with each drill's headline timings. */
  @Get()
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A filter that is not valid; the message names it.' })
  list(@Query() query: ListDrillsQueryDto): DrillListDto {
    return this.history.list(query);
  }

  /** A drill's status and every step with its timing. */
  @Get(':id')
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No drill has this id.' })
  get(@Param('id', drillId) id: string): DrillDto {
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
