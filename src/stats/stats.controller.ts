import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { StepStatsQueryDto, StepStatsReportDto } from './step-stats.dto.js';
import { StepStats } from './step-stats.service.js';

@ApiTags('stats')
@Requires('viewer')
@Controller('stats')
export class StatsController {
  constructor(@Inject(StepStats) private readonly stats: StepStats) {}

  /** Per step and for whole drills over a window: how many finished, how many succeeded, and how long they took. */
  @Get('steps')
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A malformed time, or `from` later than `to`.' })
  async steps(@Query() query: StepStatsQueryDto): Promise<StepStatsReportDto> {
    return this.stats.report(query);
  }
}
