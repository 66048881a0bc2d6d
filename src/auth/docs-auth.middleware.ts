import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { correlationIdOf } from '../common/correlation.middleware.js';
import { authenticate, type ApiToken } from './api-tokens.js';
import { presentedSecret } from './bearer.js';

/**
 * Guards the Swagger UI and its JSON, which Nest's guards do not see. A viewer token as a bearer
 * token, or as the password of HTTP Basic credentials so that a browser can open the page.
 */
export function docsAuth(tokens: readonly ApiToken[]) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const secret = presentedSecret(request.headers);
    if (secret !== undefined && authenticate(tokens, secret)) {
      next();
      return;
    }
    response
      .status(401)
      .setHeader('www-authenticate', 'Basic realm="redis-drill", charset="UTF-8"')
      .json({
        statusCode: 401,
        error: STATUS_CODES[401],
        message: 'the API docs need a token of any role: as a bearer token, or as the password of HTTP Basic credentials',
        correlationId: correlationIdOf(request),
      });
  };
}
