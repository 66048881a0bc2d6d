import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { ErrorBodyDto } from '../common/error-body.dto.js';
import { uuidPipeOptions } from '../common/uuid-pipe.js';
import { CreateScheduleDto, ScheduleDto, UpdateScheduleDto } from './schedule.dto.js';
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
  create(@Body() body: CreateScheduleDto): Promise<ScheduleDto> {
    return this.schedules.create(body);
  }

  /** Every schedule, with its next runs. */
  @Get()
  list(): Promise<ScheduleDto[]> {
    return this.schedules.list();
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
  update(@Param('id', scheduleId) id: string, @Body() body: UpdateScheduleDto): Promise<ScheduleDto> {
    return this.schedules.update(id, body);
  }

  /** Stops and removes the schedule. Drills it started keep its id in their history. */
  @Delete(':id')
  @Requires('operator')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No schedule has this id.' })
  async remove(@Param('id', scheduleId) id: string): Promise<void> {
    await this.schedules.remove(id);
  }
}
