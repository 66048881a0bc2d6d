import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { ScheduleOptionsDto } from './schedule.dto.js';
import type { DrillEvent } from '../drills/drill-events.js';
import type { ScenarioName } from '../drills/scenarios.js';
import { DrillStream } from '../drills/drill-stream.js';
import { EventStore, StreamConflictError } from '../events/event-store.js';
import { SchedulesService } from './schedules.service.js';
import { scheduledDrillId } from '../queue/drill-queue.js';

/** Turns a scheduler's firing into a drill request, once per firing however often the job runs. */
@Injectable()
export class ScheduledDrills {
  constructor(
    @Inject(SchedulesService) private readonly schedules: SchedulesService,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The drill of one firing: its id is derived from the job's id, so that a job run again after a
   * crash or an interruption finds the drill it already requested and resumes it. Undefined when
   * the schedule was removed or disabled before the firing requested its drill.
   */
  async request(jobId: string, scheduleId: string): Promise<{ drillId: string; waitForTarget: boolean } | undefined> {
    const drillId = scheduledDrillId(jobId);
    const schedule = await this.schedules.definition(scheduleId);
    // A drill this firing already requested runs on whatever became of the schedule since: it may
    // be past its kill, and a disabled schedule must not leave it running unattended.
    const [requestedBefore] = await this.store.readPage<DrillEvent>(drillId, 0, 1);
    if (requestedBefore) {
      const waitForTarget = schedule ? (JSON.parse(schedule.options) as ScheduleOptionsDto).waitForTarget : undefined;
      return { drillId, waitForTarget: waitForTarget ?? false };
    }
    if (!schedule?.enabled) {
      return undefined;
    }
    const { waitForTarget, ...options } = JSON.parse(schedule.options) as ScheduleOptionsDto;
    const requested: Extract<DrillEvent, { type: 'DrillRequested' }> = {
      type: 'DrillRequested',
      data: { scenario: schedule.scenario as ScenarioName, target: schedule.target, trigger: 'schedule', scheduleId, options },
    };
    try {
      await DrillStream.create(this.store, this.clock, drillId, `schedule:${scheduleId}`, requested);
    } catch (error) {
      if (!(error instanceof StreamConflictError)) {
        throw error;
      }
    }
    return { drillId, waitForTarget: waitForTarget ?? false };
  }
}
