import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { QueueBackendName } from '../config/app-config.js';
import { currentCorrelationId } from '../common/log-context.js';
import { nameBasedUuid } from '../common/name-based-uuid.js';
import { throttled } from '../common/warning-throttle.js';
import { OWNED_QUEUE_STORE, QUEUE_BACKEND, type OwnedQueueStore, type QueueBackendChoice } from './queue-backend.js';
import { queueDurabilityProblems, readQueueDurability, type QueueDurability } from './queue-durability.js';

export const DRILL_QUEUE = 'drills';
/** Jobs that run a drill already requested. */
export const DRILL_JOB = 'drill';
/** Jobs a schedule produces; the worker requests their drill. */
export const SCHEDULED_DRILL_JOB = 'scheduled-drill';
/** Jobs that post a finished drill to a webhook. */
export const WEBHOOK_JOB = 'webhook';

export interface DrillJobData {
  readonly drillId: string;
  /** Wait for a busy target instead of failing. */
  readonly waitForTarget?: boolean;
  /** The correlation id of the request that asked for the drill, for the worker's log lines. */
  readonly correlationId?: string;
  /** Set by a worker that failed the job for good: the drill cannot be run, and is not queued again. */
  readonly unrecoverable?: boolean;
}

export interface ScheduledDrillJobData {
  readonly scheduleId: string;
}

/** A schedule's firing requests one drill, whose id is derived from the firing's job id. */
export function scheduledDrillId(jobId: string): string {
  return nameBasedUuid(`scheduled-drill:${jobId}`);
}

/** Job states in which a job will still run, or is running. */
const LIVE_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;

/** Puts requested drills on the queue; the job id is the drill id, so a drill is queued once. */
@Injectable()
export class DrillQueue implements OnApplicationBootstrap {
  private readonly logger = new Logger('DrillQueue');
  /** Where the queue lives (`QUEUE_BACKEND`). */
  readonly backend: QueueBackendName;

  constructor(
    @InjectQueue(DRILL_QUEUE) readonly queue: Queue,
    @Inject(QUEUE_BACKEND) choice: QueueBackendChoice,
    @Inject(OWNED_QUEUE_STORE) private readonly store: OwnedQueueStore,
  ) {
    this.backend = choice.name;
    // Without a listener BullMQ prints every connection error as a raw dump; one line every few
    // seconds says the same, and /api/health reports the queue down meanwhile.
    const warn = throttled((message) => this.logger.warn(message));
    queue.on('error', (error) => warn(`queue: ${error.message}`));
  }

  async enqueue(drillId: string, waitForTarget = false): Promise<void> {
    const correlationId = currentCorrelationId();
    const data: DrillJobData = { drillId, ...(waitForTarget ? { waitForTarget } : {}), ...(correlationId ? { correlationId } : {}) };
    await this.queue.add(DRILL_JOB, data, { jobId: drillId, removeOnComplete: 1000, removeOnFail: 1000 });
  }

  /**
   * The drills a live job will run or resume: a drill job carries its drill's id, a schedule's
   * firing the id derived from its own.
   */
  async drillsWithLiveJobs(): Promise<ReadonlySet<string>> {
    const jobs = await this.queue.getJobs([...LIVE_STATES]);
    const ids = new Set<string>();
    for (const job of jobs) {
      if (job?.name === DRILL_JOB) {
        ids.add((job.data as DrillJobData).drillId);
      } else if (job?.name === SCHEDULED_DRILL_JOB && job.id) {
        ids.add(scheduledDrillId(job.id));
      }
    }
    return ids;
  }

  /**
   * Gives a drill that lost its job a new one, to resume it. A finished job of the same id would
   * make the queue ignore the new one, so it goes first. The drill waits for its target rather than
   * being refused: it was accepted once, and may be past its kill. Answers false, and queues
   * nothing, when the drill's job failed for good (a drill whose events cannot be read).
   */
  async requeue(drillId: string): Promise<boolean> {
    const state = await this.queue.getJobState(drillId);
    if (state === 'failed' && ((await this.queue.getJob(drillId))?.data as DrillJobData | undefined)?.unrecoverable) {
      return false;
    }
    if (state === 'completed' || state === 'failed') {
      await this.queue.remove(drillId);
    }
    const data: DrillJobData = { drillId, waitForTarget: true };
    await this.queue.add(DRILL_JOB, data, { jobId: drillId, removeOnComplete: 1000, removeOnFail: 1000 });
    return true;
  }

  /** Makes the queue's PostgreSQL schema again when it was lost under the running service; see `OwnedQueueStore`. */
  restoreLostSchema(): Promise<boolean> {
    return this.store.restoreLostSchema();
  }

  /** Says at boot when the queue's Redis could lose jobs; a store that does not answer yet is the health check's to report. */
  onApplicationBootstrap(): void {
    void this.durability().then(
      (durability) => {
        for (const problem of durability ? queueDurabilityProblems(durability) : []) {
          this.logger.warn(`the queue's Redis: ${problem}`);
        }
      },
      () => undefined,
    );
  }

  /**
   * What the queue's Redis says of its persistence and eviction policy. Undefined on PostgreSQL,
   * once it has answered: a committed job is in its write-ahead log, and nothing is evicted.
   */
  async durability(): Promise<QueueDurability | undefined> {
    if (this.backend === 'postgres') {
      await this.queue.getJobCounts('active');
      return undefined;
    }
    const client = await this.queue.getBackend().client;
    const [persistence, memory] = (await Promise.all([
      client.runCommand('info', ['persistence']),
      client.runCommand('info', ['memory']),
    ])) as [string, string];
    // Managed services may refuse CONFIG: the save points are then unknown.
    const save = await client.runCommand('config', ['get', 'save']).then(
      (reply: unknown) => (Array.isArray(reply) ? String(reply[1] ?? '') : undefined),
      () => undefined,
    );
    return readQueueDurability(persistence, memory, save);
  }

  /**
   * Calls `listener` each time the connection to the queue's Redis is (re)established; on
   * PostgreSQL once, when the queue's schema is ready (its pool reconnects per query, unannounced).
   */
  onReady(listener: () => void): void {
    this.queue.getBackend().on('ready', listener);
  }
}
