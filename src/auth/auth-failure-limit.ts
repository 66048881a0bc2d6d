import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { STATUS_CODES } from 'node:http';
import { correlationIdOf } from '../common/correlation.middleware.js';

/**
 * Slows the guessing of tokens: each client address may be answered 401 `limit` times per
 * window; past that, everything it asks is answered 429 with `Retry-After` until the window
 * ends. Answers other than 401 do not count, nor does a request its client gave up on before any
 * answer went out.
 */
export function authFailureLimit(limit: number, windowMs: number): RequestHandler {
  const store = new MemoryStore();
  const keyOf = (request: Request) => ipKeyGenerator(request.ip ?? '');
  const limiter = rateLimit({
    store,
    keyGenerator: keyOf,
    windowMs,
    limit,
    // Every request is counted when it arrives and uncounted when its answer is not a 401.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_request, response) => response.statusCode !== 401,
    standardHeaders: false,
    legacyHeaders: false,
    handler: (request, response) => {
      const resetTime = (request as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
      const retryAfterSeconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
      response.setHeader('retry-after', String(retryAfterSeconds));
      response.status(429).json({
        statusCode: 429,
        error: STATUS_CODES[429],
        message: `too many requests from this address were refused for want of a valid token (${limit} in ${windowMs / 1000} s); try again in ${retryAfterSeconds} s`,
        correlationId: correlationIdOf(request),
      });
    },
  });
  return (request, response, next) => {
    // The limiter uncounts a request when its answer finishes; an answer cut off by its client never
    // finishes, and would otherwise count as a refused token, and lock out a client whose token is good.
    response.once('close', () => {
      if (!response.writableFinished) {
        void store.decrement(keyOf(request));
      }
    });
    limiter(request, response, next);
  };
}
