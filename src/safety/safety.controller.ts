import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Logger, Post } from '@nestjs/common';
import { errorMessage } from '../common/app-error.js';
import { ApiConflictResponse, ApiTags } from '@nestjs/swagger';
import { Requires } from '../auth/access.decorator.js';
import { CallerOf, type Caller } from '../auth/caller.js';
import { ErrorBodyDto } from '../error-body.dto.js';
import { DrillFinishedError } from '../drills/drill-errors.js';
import { DrillService } from '../drills/drill.service.js';
import { HaltEngagedDto, HaltRequestDto, HaltStateDto } from './halt.dto.js';
import { HaltSwitch } from './halt-switch.js';

@ApiTags('safety')
@Requires('viewer')
@Controller('safety/halt')
export class SafetyController {
  private readonly logger = new Logger('SafetyController');

  constructor(
    @Inject(HaltSwitch) private readonly halt: HaltSwitch,
    @Inject(DrillService) private readonly drills: DrillService,
  ) {}

  /** Whether drills are halted, and by whom. */
  @Get()
  state(): Promise<HaltStateDto> {
    return this.halt.state();
  }

  /**
   * The kill switch: asks every running or queued drill to abort and refuses new ones (423) until
   * released. A drill past its kill still finishes the failover, so that the target ends healthy.
   * It holds across restarts and for every instance sharing the audit log.
   */
  @Post()
  @Requires('admin')
  @HttpCode(HttpStatus.OK)
  async engage(@Body() body: HaltRequestDto, @CallerOf() caller: Caller): Promise<HaltEngagedDto> {
    const { state, activeDrills } = await this.halt.engage(body.reason, caller.name);
    const abortedDrills: string[] = [];
    const notAborted: string[] = [];
    // One drill that cannot be asked to stop must not keep the others running.
    for (const id of activeDrills) {
      try {
        await this.drills.abort(id, `halted: ${body.reason}`, caller.name);
        abortedDrills.push(id);
      } catch (error) {
        // A drill that finished in between has nothing to stop.
        if (!(error instanceof DrillFinishedError)) {
          this.logger.error(`halt: could not ask drill ${id} to abort: ${errorMessage(error)}`);
          notAborted.push(id);
        }
      }
    }
    return { ...state, abortedDrills, ...(notAborted.length > 0 ? { notAborted } : {}) };
  }

  /** Lets drills run again. */
  @Delete()
  @Requires('admin')
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'Drills are not halted.' })
  release(@Body() body: HaltRequestDto, @CallerOf() caller: Caller): Promise<HaltStateDto> {
    return this.halt.release(body.reason, caller.name);
  }
}
