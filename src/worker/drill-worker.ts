import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DrillRunner, type RunResult } from '../drills/drill-runner.js';
import { DrillHistoryError } from '../drills/drill-state.js';
import { DrillNotFoundError } from '../drills/drill-stream.js';
import { withLogFields } from '../common/log-context.js';
import { ScheduledDrills } from '../schedules/scheduled-drills.js';
import { Webhooks, type WebhookJobData } from '../notifications/webhooks.js';
import {
  DRILL_JOB,
  DRILL_QUEUE,
  SCHEDULED_DRILL_JOB,
  WEBHOOK_JOB,
  type DrillJobData,
  type ScheduledDrillJobData,
} from '../queue/drill-queue.js';
import { armShutdownDeadline } from '../common/shutdown-deadline.js';
import { errorMessage } from '../common/app-error.js';
import { isLogDown } from '../events/event-store.js';
import { throttled } from '../common/warning-throttle.js';
import { afterInterruption, LONGEST_RETRY_MS } from './interruptions.js';
import { QUEUE_BACKEND, type QueueBackendChoice } from '../queue/queue-backend.js';
import { takeoverTiming } from '../queue/takeover-timing.js';

function describeWait(result: Exclude<RunResult, { outcome: 'finished' }>): string {
  if (result.outcome === 'waiting') {
    return `waits for drill ${result.holder.drillId}`;
  }
  return result.logDown ? `parked: ${result.logDown}; trying again in ${LOG_DOWN_RECHECK_MS} ms` : 'parked for another worker';
}

/** Every job the drill queue carries, told apart by its name. */
type QueueJob =
  | Job<DrillJobData, unknown, typeof DRILL_JOB>
  | Job<ScheduledDrillJobData, unknown, typeof SCHEDULED_DRILL_JOB>
  | Job<WebhookJobData, unknown, typeof WEBHOOK_JOB>;

/** How soon a drill waiting for a busy target looks again. */
const TARGET_RECHECK_MS = 1_000;

/** How soon a drill parked on an audit log that took no append tries again; it is not given up, since not even that could be recorded. */
const LOG_DOWN_RECHECK_MS = 2_000;

/** How long a shutdown waits for the queue to confirm the pause before it goes on regardless. */
const PAUSE_WAIT_MS = 2_000;

/**
 * The in-process worker that runs queued and scheduled drills. A job whose worker died is picked
 * up again once its lock lapses (BullMQ's stalled-job check), within `WORKER_LEASE_MS` of the
 * death (`takeoverTiming`), and the runner resumes the same drill. On shutdown each drill in progress stops before its next step and goes
 * back on the queue for another worker.
 */
@Injectable()
export class DrillWorker implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('DrillWorker');
  private worker: Worker | undefined;
  private shuttingDown = false;
  private readonly running = new Set<Promise<unknown>>();
  private readonly drillsRunning = new Set<string>();

  constructor(
    @Inject(DrillRunner) private readonly runner: DrillRunner,
    @Inject(ScheduledDrills) private readonly scheduled: ScheduledDrills,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Webhooks) private readonly webhooks: Webhooks,
    @Inject(QUEUE_BACKEND) private readonly backend: QueueBackendChoice,
  ) {}

  onModuleInit(): void {
    const processor = (job: Job, token?: string) => this.track(this.process(job as QueueJob, token));
    const timing = takeoverTiming(this.config.workerLeaseMs);
    this.worker = new Worker(
      DRILL_QUEUE,
      processor,
      {
        ...(this.backend.options as { connection: never }),
        // Drills on different targets run side by side; one target never has two (the target lock).
        concurrency: 4,
        lockDuration: timing.jobLockMs,
        lockRenewTime: timing.jobLockRenewMs,
        stalledInterval: timing.stalledCheckMs,
        maxStalledCount: 10,
      },
      this.backend.factory as never,
    );
    const warn = throttled((message) => this.logger.warn(message));
    this.worker.on('error', (error) => warn(`worker: ${error.message}`));
  }

  /** SIGTERM: take no new job, and let each drill in progress reach its next step boundary, where it parks. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    // Pausing talks to the queue's Redis; when it is gone, the drills still park on the flag above.
    await Promise.race([this.worker?.pause(true), new Promise((resolve) => setTimeout(resolve, PAUSE_WAIT_MS).unref())]);
    await Promise.allSettled([...this.running]);
    armShutdownDeadline();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  /** The drills this process is running or resuming right now, whatever became of their jobs. */
  runningDrillIds(): ReadonlySet<string> {
    return this.drillsRunning;
  }

  /** Runs or resumes the drill, with its id on every log line written meanwhile. */
  private async run(drillId: string, waitForTarget: boolean): Promise<RunResult> {
    if (this.drillsRunning.has(drillId)) {
      // A second job for a drill this process runs already (queued again while its first job was
      // lost): it waits, and finds the drill finished or resumable when it looks again.
      return { outcome: 'waiting', state: await this.runner.stateOf(drillId), holder: { drillId } };
    }
    this.logger.log(`drill ${drillId}: running on this worker`);
    this.drillsRunning.add(drillId);
    let result: RunResult;
    try {
      result = await this.runner.run(drillId, { waitForTarget, shouldPark: () => this.shuttingDown });
    } finally {
      this.drillsRunning.delete(drillId);
    }
    if (result.outcome === 'finished') {
      this.logger.log(`drill ${drillId}: ${result.state.status}${result.state.error ? ` (${result.state.error})` : ''}`);
    } else {
      this.logger.log(`drill ${drillId}: ${describeWait(result)}`);
    }
    return result;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  private async process(job: QueueJob, token?: string): Promise<{ status: string }> {
    if (this.shuttingDown) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    switch (job.name) {
      case WEBHOOK_JOB:
        return withLogFields({ drillId: job.data.drillId }, () => this.webhooks.deliver(job)).then(({ status }) => ({
          status: `delivered: ${status}`,
        }));
      case SCHEDULED_DRILL_JOB: {
        const requested = await this.scheduled.request(job.id!, job.data.scheduleId);
        if (!requested) {
          return { status: 'skipped: the schedule is gone or disabled' };
        }
        // A scheduled drill has no request: the schedule's job id correlates its lines instead.
        return this.runDrill(job, token, { ...requested, correlationId: job.id });
      }
      case DRILL_JOB:
        return this.runDrill(job, token, job.data);
      default: {
        // Not one of ours (a job left by another version, say): running it again would not make it one.
        const unknownJob: never = job;
        throw new UnrecoverableError(`unknown job kind ${JSON.stringify((unknownJob as Job).name)}`);
      }
    }
  }

  private async runDrill(
    job: QueueJob,
    token: string | undefined,
    { drillId, waitForTarget = false, correlationId }: DrillJobData,
  ): Promise<{ status: string }> {
    const result = await withLogFields({ drillId, ...(correlationId ? { correlationId } : {}) }, () =>
      this.run(drillId, waitForTarget).catch((error: unknown) => this.interrupted(job, token, drillId, error)),
    );
    if (result.outcome === 'waiting' || (result.outcome === 'parked' && (this.shuttingDown || result.logDown))) {
      const delayMs = result.outcome === 'waiting' ? TARGET_RECHECK_MS : result.logDown && !this.shuttingDown ? LOG_DOWN_RECHECK_MS : 0;
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    }
    if (result.outcome === 'finished') {
      await this.webhooks.announce(result.state);
    }
    return { status: result.state.status };
  }

  /** Runs the drill again later, or gives it up after too many interruptions: see `afterInterruption`. */
  private async interrupted(job: Job, token: string | undefined, drillId: string, error: unknown): Promise<RunResult> {
    if (error instanceof DrillNotFoundError || error instanceof DrillHistoryError) {
      // Nothing to resume: every run would give the same answer, so the job fails for good, and
      // says so, so that the reconciler does not give the drill another job that would fail alike.
      await job.updateData({ ...(job.data as object), unrecoverable: true }).catch(() => undefined);
      throw new UnrecoverableError(`drill ${drillId}: ${error.message}`);
    }
    if (isLogDown(error)) {
      // The log could not even be read (the drill's run never began): not an interruption to count, as a park is not.
      this.logger.warn(`drill ${drillId}: ${error.message}; trying again in ${LOG_DOWN_RECHECK_MS} ms`);
      await job.moveToDelayed(Date.now() + LOG_DOWN_RECHECK_MS, token);
      throw new DelayedError();
    }
    const data = job.data as { interruptions?: number; interruptedAt?: number };
    // How far the drill got; unknown when the log itself is what failed.
    const progress = await this.runner.progressOf(drillId).catch(() => undefined);
    const movedOn = progress !== undefined && data.interruptedAt !== undefined && progress > data.interruptedAt;
    const next = afterInterruption(movedOn ? 0 : (data.interruptions ?? 0), error);
    if ('giveUp' in next) {
      this.logger.error(`drill ${drillId}: given up, ${next.giveUp}`);
      try {
        return { outcome: 'finished', state: await this.runner.giveUp(drillId, next.giveUp) };
      } catch (recording) {
        // Not even the failure can be recorded: try again later rather than leave the drill running.
        this.logger.error(`drill ${drillId}: recording that it was given up failed (${errorMessage(recording)}); trying again`);
        await job.moveToDelayed(Date.now() + LONGEST_RETRY_MS, token);
        throw new DelayedError();
      }
    }
    this.logger.warn(`drill ${drillId}: interrupted (${errorMessage(error)}); resuming in ${next.retryInMs} ms`);
    await job.updateData({ ...(job.data as object), interruptions: next.interruptions, interruptedAt: progress ?? data.interruptedAt });
    await job.moveToDelayed(Date.now() + next.retryInMs, token);
    throw new DelayedError();
  }
}
