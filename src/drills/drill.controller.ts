import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { uuidPipeOptions } from '../common/uuid-pipe.js';
import { CreateDrillDto, DrillAcceptedDto, DrillDto } from './drill.dto.js';
import { DrillService } from './drill.service.js';

@ApiTags('drills')
@Controller('drills')
export class DrillController {
  constructor(@Inject(DrillService) private readonly drills: DrillService) {}

  /** Queues a drill; it runs on a worker and its progress shows at `GET /api/drills/{id}`. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: DrillAcceptedDto })
  @ApiBadRequestResponse({ description: 'An unknown scenario or target, or an unknown field.' })
  async create(@Body() body: CreateDrillDto): Promise<DrillAcceptedDto> {
    const { id } = await this.drills.request({ scenario: body.scenario, target: body.target, trigger: 'manual' });
    return { id, status: 'queued' };
  }

  /** A drill's status and every step with its timing, folded from its events. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No drill has this id.' })
  async get(@Param('id', new ParseUUIDPipe(uuidPipeOptions('id'))) id: string): Promise<DrillDto> {
    return DrillDto.from(await this.drills.get(id));
  }
}
