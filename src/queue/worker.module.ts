import { Module } from '@nestjs/common';
import { DrillsModule } from '../drills/drills.module.js';
import { SchedulesModule } from '../schedules/schedules.module.js';
import { DrillWorker } from './drill-worker.js';

/** The in-process worker; left out when `WORKER_ENABLED=false`. */
@Module({
  imports: [DrillsModule, SchedulesModule],
  providers: [DrillWorker],
})
export class WorkerModule {}
