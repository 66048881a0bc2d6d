import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { errorMessage } from '../common/app-error.js';
import { throttled } from '../common/warning-throttle.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { DrillReconciler } from './drill-reconciler.js';

/**
 * Runs the reconciler at boot, whenever the queue's Redis (re)connects, and every
 * `RECONCILE_INTERVAL_MS`. A pass that fails (the queue's Redis is down) is only a warning: the
 * next one tries again.
 */
@Injectable()
export class ReconcileLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DrillReconciler');
  private readonly warn = throttled((message) => this.logger.warn(message));
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DrillReconciler) private readonly reconciler: DrillReconciler,
    @Inject(DrillQueue) private readonly drills: DrillQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.config.reconcileIntervalMs);
    this.timer.unref();
    // Back from a restart or a failover, the queue's Redis may hold nothing: look at once.
    this.drills.onReady(() => void this.pass());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async pass(): Promise<void> {
    try {
      await this.reconciler.reconcile();
    } catch (error) {
      this.warn(`comparing the queue with the audit log failed: ${errorMessage(error)}; trying again`);
    }
  }
}
