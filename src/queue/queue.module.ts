import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DRILL_QUEUE, DrillQueue } from './drill-queue.js';
import {
  chooseQueueBackend,
  OWNED_QUEUE_STORE,
  QUEUE_BACKEND,
  queueStoreFor,
  type OwnedQueueStore,
  type QueueBackendChoice,
} from './queue-backend.js';
import { TargetLocks } from './target-locks.js';

/**
 * The BullMQ queue drills wait in, and the per-target locks, on the queue's store: the Redis at
 * `REDIS_URL` or, with `QUEUE_BACKEND=postgres`, a schema of its own in PostgreSQL.
 */
@Module({
  providers: [
    { provide: QUEUE_BACKEND, inject: [APP_CONFIG], useFactory: (config: AppConfig) => chooseQueueBackend(config) },
    {
      provide: getQueueToken(DRILL_QUEUE),
      inject: [QUEUE_BACKEND],
      useFactory: (choice: QueueBackendChoice) => new Queue(DRILL_QUEUE, choice.options as never, choice.factory as never),
    },
    DrillQueue,
    { provide: OWNED_QUEUE_STORE, inject: [QUEUE_BACKEND, APP_CONFIG], useFactory: queueStoreFor },
    { provide: TargetLocks, inject: [OWNED_QUEUE_STORE], useFactory: (owned: OwnedQueueStore) => owned.locks },
  ],
  exports: [DrillQueue, TargetLocks, QUEUE_BACKEND, getQueueToken(DRILL_QUEUE)],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(
    @Inject(OWNED_QUEUE_STORE) private readonly store: OwnedQueueStore,
    @Inject(getQueueToken(DRILL_QUEUE)) private readonly queue: Queue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.store.close()]);
  }
}
