import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { logContext, type LogFields } from './log-context.js';

/** A request once `correlation` has seen it: its id, and the log fields of its lines, access line included. */
export type CorrelatedRequest = Request & { correlationId?: string; logFields?: LogFields };

/** The caller's `x-correlation-id` when it is a plain token, or a new one. */
export function correlationIdOf(request: CorrelatedRequest): string {
  if (request.correlationId) {
    return request.correlationId;
  }
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

/**
 * Gives each request its correlation id: on the request, in the answer's `x-correlation-id`, and
 * on every log line written while it is handled. The fields stay on the request too, because the
 * access line is written when the answer has gone, where the async context may be another's.
 */
export function correlation(request: CorrelatedRequest, response: Response, next: NextFunction): void {
  const correlationId = correlationIdOf(request);
  request.correlationId = correlationId;
  response.setHeader('x-correlation-id', correlationId);
  const fields: LogFields = { correlationId };
  request.logFields = fields;
  logContext.run(fields, next);
}
