import type { IncomingMessage, ServerResponse } from 'node:http';
import { stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import type { LogLevel } from '../config/app-config.js';
import { correlationIdOf, type CorrelatedRequest } from './correlation.middleware.js';
import { currentLogFields } from './log-context.js';

/** Keys whose values are never written, at the top of a line or one object down. */
const SECRET_KEYS = ['authorization', 'cookie', 'token', 'password', 'secret', 'webhookSecret', 'apiTokens'];

/** Where a secret may sit in what is logged: request and response headers, and any field named like one. */
export const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'res.headers["set-cookie"]',
];

/** The path alone: a query string may hold what a log should not. */
function pathOf(request: IncomingMessage): string {
  const url = (request as Partial<CorrelatedRequest>).originalUrl ?? request.url ?? '';
  return url.split('?')[0]!;
}

/**
 * The access line, one per answered request, with the fields it had when it was last handled
 * (the id of a drill it created, say), whether or not the async context is still the request's.
 */
function accessLine(request: IncomingMessage, response: ServerResponse, responseTime: number): Record<string, unknown> {
  return {
    context: 'Http',
    ...(request as CorrelatedRequest).logFields,
    method: request.method,
    path: pathOf(request),
    status: response.statusCode,
    durationMs: responseTime,
  };
}

/**
 * pino, as the Nest logger and as pino-http's access log: one JSON object per line with `time`,
 * `level` (its name), `context`, `message`, and the `correlationId` and `drillId` of the request
 * or drill being handled, whichever async path wrote it. Secrets are censored, and pino's
 * serialiser survives cycles and odd values.
 */
export function pinoHttpOptions(level: LogLevel): Options {
  return {
    level,
    messageKey: 'message',
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: currentLogFields,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (request) => correlationIdOf(request as CorrelatedRequest),
    // Lines written while a request is handled carry only its method and path, never its headers.
    serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, path: request.url.split('?')[0] }) },
    // The access line is the one below, shaped as it always was, not pino-http's `req`/`res` pair.
    quietResLogger: true,
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (request, response, value: { responseTime: number }) => accessLine(request, response, value.responseTime),
    customErrorObject: (request, response, _error, value: { responseTime: number }) => accessLine(request, response, value.responseTime),
  };
}
