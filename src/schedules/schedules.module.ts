import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { TargetsModule } from '../targets/targets.module.js';
import { ScheduleAudit } from './schedule-audit.js';
import { ScheduledDrills } from './scheduled-drills.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesService } from './schedules.service.js';

@Module({
  imports: [QueueModule, TargetsModule],
  controllers: [SchedulesController],
  providers: [SchedulesService, ScheduledDrills, ScheduleAudit],
  exports: [ScheduledDrills, SchedulesService],
})
export class SchedulesModule {}
