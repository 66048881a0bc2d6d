import { Module } from '@nestjs/common';
import { DrillsModule } from '../drills/drills.module.js';
import { SchedulesModule } from '../schedules/schedules.module.js';
import { Webhooks } from '../notifications/webhooks.js';
import { DrillWorker } from './drill-worker.js';
import { QueueModule } from '../queue/queue.module.js';

/** The in-process worker; left out when `WORKER_ENABLED=false`. */
@Module({
  imports: [DrillsModule, SchedulesModule, QueueModule],
  providers: [DrillWorker, Webhooks],
})
export class WorkerModule {}
