import type { Request, RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { STATUS_CODES } from 'node:http';
import { correlationIdOf } from '../common/correlation.middleware.js';

/**
 * Slows the guessing of tokens: each client address may be answered 401 `limit` times per
 * window; past that, everything it asks is answered 429 with `Retry-After` until the window
 * ends. Answers other than 401 do not count.
 */
export function authFailureLimit(limit: number, windowMs: number): RequestHandler {
  return rateLimit({
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
}
