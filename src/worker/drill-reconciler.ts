import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { UnfinishedDrill } from '../drills/unfinished-drills.js';
import { orphanedDrills } from './orphaned-drills.js';

/** What the reconciler needs of the queue: which drills have a live job, and a way to give one a job again. */
export interface DrillJobs {
  /** Makes the queue's store able to hold jobs again when it lost its schema (PostgreSQL); true when it did. */
  restoreLostSchema(): Promise<boolean>;
  /** The drills that a waiting, delayed or active job will run (or resume). */
  drillsWithLiveJobs(): Promise<ReadonlySet<string>>;
  /** Puts the drill on the queue again, replacing a finished job of the same id; false when its job failed for good. */
  requeue(drillId: string): Promise<boolean>;
}

export interface DrillReconcilerParts {
  readonly unfinished: () => Promise<readonly UnfinishedDrill[]>;
  readonly jobs: DrillJobs;
  /** The drills this process is running now: their job may be gone, but they are not orphans. */
  readonly runningHere: () => ReadonlySet<string>;
  /** The schedules' job schedulers, which the queue's Redis may have lost with its jobs. */
  readonly restoreSchedulers: () => Promise<number>;
  readonly clock: Clock;
}

/**
 * Makes the queue agree with the audit log: every drill the log says is unfinished and that no
 * live job carries gets a job again, and resumes from its events as after a worker crash (the
 * runner never repeats a kill nor a finished step). Runs at boot, whenever the queue's Redis
 * comes back, and every few seconds, so that a queue that lost its data (on Redis a restart without
 * persistence, a failover, a FLUSHALL; on PostgreSQL its schema dropped) orphans no drill.
 */
export class DrillReconciler {
  private readonly logger = new Logger('DrillReconciler');
  private running: Promise<string[]> | undefined;

  constructor(private readonly parts: DrillReconcilerParts) {}

  /** One pass; a pass already under way is joined rather than run twice at once. Answers the drills queued again. */
  reconcile(): Promise<string[]> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<string[]> {
    if (await this.parts.jobs.restoreLostSchema()) {
      this.logger.warn("the queue's schema was gone: made it again");
    }
    const restored = await this.parts.restoreSchedulers();
    if (restored > 0) {
      this.logger.warn(`re-created ${restored} job scheduler(s) the queue had lost`);
    }
    // The jobs before the log: a drill that finishes in between is then no longer unfinished,
    // rather than taken for an orphan because its job has just gone.
    const live = await this.parts.jobs.drillsWithLiveJobs();
    const orphans = orphanedDrills(await this.parts.unfinished(), live, this.parts.runningHere(), this.parts.clock.now());
    const requeued: string[] = [];
    for (const drill of orphans) {
      if (await this.parts.jobs.requeue(drill.id)) {
        requeued.push(drill.id);
        this.logger.warn(`drill ${drill.id} (${drill.status} on ${drill.target}) had no job in the queue: queued again to resume it`);
      }
    }
    return requeued;
  }
}
