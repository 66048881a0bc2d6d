import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { CallerOf, type Caller } from '../auth/caller.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { uuidPipeOptions } from '../common/uuid-pipe.js';
import { CreateScheduleDto, ScheduleChangeDto, ScheduleChangesQueryDto, ScheduleDto, UpdateScheduleDto } from './schedule.dto.js';
import { SchedulesService } from './schedules.service.js';

const scheduleId = new ParseUUIDPipe(uuidPipeOptions('id'));

@ApiTags('schedules')
@Requires('viewer')
@Controller('schedules')
export class SchedulesController {
  constructor(@Inject(SchedulesService) private readonly schedules: SchedulesService) {}

  /** Creates a recurring drill; the answer shows its next runs. */
  @Post()
  @Requires('operator')
  @ApiCreatedResponse({ type: ScheduleDto })
  @ApiBadRequestResponse({
    type: ErrorBodyDto,
    description: 'An invalid cron pattern or time zone, an unknown target, or a cadence under the minimum interval.',
  })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'Another schedule has this name.' })
  create(@Body() body: CreateScheduleDto, @CallerOf() caller: Caller): Promise<ScheduleDto> {
    return this.schedules.create(body, caller.name);
  }

  /** Every schedule, with its next runs. */
  @Get()
  list(): Promise<ScheduleDto[]> {
    return this.schedules.list();
  }

  /** Who created, changed and deleted schedules, and what each was afterwards, newest first; from the audit log. */
  @Get('changes')
  @ApiOkResponse({ type: [ScheduleChangeDto] })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A scheduleId that is not a UUID, or an unknown query parameter.' })
  changes(@Query() query: ScheduleChangesQueryDto): Promise<ScheduleChangeDto[]> {
    return this.schedules.changes(query.scheduleId);
  }

  /** One schedule, with its next runs. */
  @Get(':id')
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No schedule has this id.' })
  get(@Param('id', scheduleId) id: string): Promise<ScheduleDto> {
    return this.schedules.get(id);
  }

  /** Changes some fields; the same checks as on creation apply to the result. */
  @Patch(':id')
  @Requires('operator')
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'The changed schedule would not be valid.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No schedule has this id.' })
  update(@Param('id', scheduleId) id: string, @Body() body: UpdateScheduleDto, @CallerOf() caller: Caller): Promise<ScheduleDto> {
    return this.schedules.update(id, body, caller.name);
  }

  /** Stops and removes the schedule. Drills it started keep its id in their history. */
  @Delete(':id')
  @Requires('operator')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No schedule has this id.' })
  async remove(@Param('id', scheduleId) id: string, @CallerOf() caller: Caller): Promise<void> {
    await this.schedules.remove(id, caller.name);
  }
}
