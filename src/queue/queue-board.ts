import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { ApiToken } from '../auth/api-tokens.js';
import { tokenAuth } from '../auth/token-auth.middleware.js';
import { DRILL_QUEUE } from './drill-queue.js';

export const QUEUE_BOARD_PATH = '/api/queues';

/**
 * Bull Board on the drill queue at /api/queues, for operators, with the API's tokens. Read-only:
 * retrying, removing or emptying a drill's job would change what runs with no audit event, no
 * actor and no validation, and a removed job would leave its drill queued for ever. Drills are
 * started and aborted through the API, which records who did it.
 */
export function mountQueueBoard(app: INestApplication, tokens: readonly ApiToken[]): void {
  const queue = app.get<Queue>(getQueueToken(DRILL_QUEUE));
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter });
  app.use(QUEUE_BOARD_PATH, tokenAuth(tokens, 'operator', 'the queue dashboard'), serverAdapter.getRouter());
}
