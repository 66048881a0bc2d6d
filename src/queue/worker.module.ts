import { Module } from '@nestjs/common';
import { DrillsModule } from '../drills/drills.module.js';
import { DrillJobProcessor } from './drill-job.processor.js';
import { QueueModule } from './queue.module.js';

/** The in-process worker; left out when `WORKER_ENABLED=false`. */
@Module({
  imports: [QueueModule, DrillsModule],
  providers: [DrillJobProcessor],
})
export class WorkerModule {}
