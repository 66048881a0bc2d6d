import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { logContext, type LogFields } from './log-context.js';

export type CorrelatedRequest = Request & { correlationId?: string };

const logger = new Logger('Http');

/** The caller's `x-correlation-id` when it is a plain token, or a new one. */
export function correlationIdOf(request: CorrelatedRequest): string {
  if (request.correlationId) {
    return request.correlationId;
  }
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

/**
 * Gives each request its correlation id: on the request, in the answer's `x-correlation-id`, on
 * every log line written while it is handled, and on its access log line.
 */
export function correlation(request: CorrelatedRequest, response: Response, next: NextFunction): void {
  const correlationId = correlationIdOf(request);
  request.correlationId = correlationId;
  response.setHeader('x-correlation-id', correlationId);
  const started = performance.now();
  const fields: LogFields = { correlationId };
  response.on('finish', () => {
    // The path only: a query string may hold what a log should not.
    logger.log({
      message: 'request',
      ...fields,
      method: request.method,
      path: request.path,
      status: response.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  logContext.run(fields, next);
}
