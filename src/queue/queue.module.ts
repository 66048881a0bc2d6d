import { BullModule } from '@nestjs/bullmq';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DRILL_QUEUE, DrillQueue } from './drill-queue.js';
import { TargetLocks } from './target-locks.js';

const LOCKS_REDIS = Symbol('LocksRedis');

/** The BullMQ queue drills wait in, and the per-target locks, on the queue Redis (`REDIS_URL`). */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: { url: config.redisUrl }, prefix: config.queuePrefix }),
    }),
    BullModule.registerQueue({ name: DRILL_QUEUE }),
  ],
  providers: [
    DrillQueue,
    {
      provide: LOCKS_REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
        // Commands fail on their own while it is unreachable, and /api/health reports it; no unhandled error events.
        redis.on('error', () => undefined);
        return redis;
      },
    },
    {
      provide: TargetLocks,
      inject: [LOCKS_REDIS, APP_CONFIG],
      useFactory: (redis: Redis, config: AppConfig) =>
        new TargetLocks(redis, config.queuePrefix, { leaseMs: config.workerLeaseMs, reservationMs: config.reservationMs }),
    },
  ],
  exports: [DrillQueue, TargetLocks, BullModule],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(LOCKS_REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
