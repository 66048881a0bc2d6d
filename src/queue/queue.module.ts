import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DRILL_QUEUE, DrillQueue } from './drill-queue.js';

/** The BullMQ queue drills wait in, on the queue Redis (`REDIS_URL`). */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: { url: config.redisUrl }, prefix: config.queuePrefix }),
    }),
    BullModule.registerQueue({ name: DRILL_QUEUE }),
  ],
  providers: [DrillQueue],
  exports: [DrillQueue, BullModule],
})
export class QueueModule {}
