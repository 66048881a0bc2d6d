import { Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { DrillSummaryReader } from '../drills/drill-summary.reader.js';
import { DrillsModule } from '../drills/drills.module.js';
import { Webhooks } from '../notifications/webhooks.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { QueueModule } from '../queue/queue.module.js';
import { SchedulesModule } from '../schedules/schedules.module.js';
import { SchedulesService } from '../schedules/schedules.service.js';
import { DrillReconciler } from './drill-reconciler.js';
import { DrillWorker } from './drill-worker.js';
import { ReconcileLoop } from './reconcile-loop.js';

/** The in-process worker, and the reconciler that keeps the queue true to the log; left out when `WORKER_ENABLED=false`. */
@Module({
  imports: [DrillsModule, SchedulesModule, QueueModule],
  providers: [
    DrillWorker,
    Webhooks,
    {
      provide: DrillReconciler,
      inject: [DrillSummaryReader, DrillQueue, DrillWorker, SchedulesService, CLOCK],
      useFactory: (summaries: DrillSummaryReader, queue: DrillQueue, worker: DrillWorker, schedules: SchedulesService, clock: Clock) =>
        new DrillReconciler({
          unfinished: async () => summaries.unfinished(),
          jobs: queue,
          runningHere: () => worker.runningDrillIds(),
          restoreSchedulers: () => schedules.reconcile(),
          clock,
        }),
    },
    ReconcileLoop,
  ],
})
export class WorkerModule {}
