import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { errorMessage } from '../common/app-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { DrillEvent } from '../drills/drill-events.js';
import { foldDrill, type DrillState } from '../drills/drill-state.js';
import { EventStore, StreamConflictError } from '../events/event-store.js';
import { DrillQueue, WEBHOOK_JOB } from '../queue/drill-queue.js';
import type { NotificationEvent } from './notification-events.js';
import { finishedPayload } from './webhook-payload.js';
import { signedHeaders } from './webhook-signature.js';

export interface WebhookJobData {
  readonly drillId: string;
  readonly url: string;
  readonly deliveryId: string;
}

/** Attempts per delivery: the first and five retries, 1 s, 2 s, 4 s, 8 s and 16 s apart. */
export const WEBHOOK_ATTEMPTS = 6;
export const WEBHOOK_BACKOFF_MS = 1_000;
const WEBHOOK_TIMEOUT_MS = 5_000;
const ACTOR = 'webhooks';

/**
 * Posts a finished drill to the webhooks configured for its target, signed the Standard Webhooks
 * way (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * Each delivery is a queue job, retried with exponential backoff, so that it survives a restart;
 * every attempt goes into the drill's stream (`WebhookDelivered`, `WebhookFailed`).
 */
@Injectable()
export class Webhooks {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DrillQueue) private readonly queue: DrillQueue,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Queues one delivery per configured URL; a drill is announced once per URL however often this runs. */
  async announce(state: DrillState): Promise<void> {
    const urls = this.config.webhooks.filter((hook) => hook.target === '*' || hook.target === state.target).map((hook) => hook.url);
    for (const [index, url] of [...new Set(urls)].entries()) {
      const data: WebhookJobData = { drillId: state.id, url, deliveryId: randomUUID() };
      await this.queue.queue.add(WEBHOOK_JOB, data, {
        jobId: `webhook-${state.id}-${index}`,
        attempts: WEBHOOK_ATTEMPTS,
        backoff: { type: 'exponential', delay: WEBHOOK_BACKOFF_MS },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      });
    }
  }

  /** One attempt; throws when the receiver did not answer 2xx, so that the queue retries it. */
  async deliver(job: Job<WebhookJobData>): Promise<{ status: number }> {
    const { drillId, url, deliveryId } = job.data;
    const attempt = job.attemptsMade + 1;
    const state = foldDrill(await this.store.read<DrillEvent>(drillId));
    if (!state) {
      return { status: 0 };
    }
    const body = finishedPayload(state);
    const started = this.clock.now();
    let failure: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedHeaders(this.config.webhookSecret!, deliveryId, body, new Date(started)),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) {
        await this.record(drillId, {
          type: 'WebhookDelivered',
          data: { url, deliveryId, attempt, status: response.status, tookMs: Math.round(this.clock.now() - started) },
        });
        return { status: response.status };
      }
      failure = `the receiver answered ${response.status}`;
    } catch (error) {
      failure = errorMessage(error);
    }
    const willRetry = attempt < WEBHOOK_ATTEMPTS;
    await this.record(drillId, { type: 'WebhookFailed', data: { url, deliveryId, attempt, error: failure, willRetry } });
    this.logger.warn(`webhook for drill ${drillId} to ${url}, attempt ${attempt}: ${failure}${willRetry ? '; will retry' : '; giving up'}`);
    throw new Error(failure);
  }

  private async record(drillId: string, event: NotificationEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const version = (await this.store.read(drillId)).length;
      try {
        await this.store.append<NotificationEvent>(drillId, version, [event], { occurredAt: new Date(this.clock.now()), actor: ACTOR });
        return;
      } catch (error) {
        if (!(error instanceof StreamConflictError) || attempt === 5) {
          throw error;
        }
      }
    }
  }
}
