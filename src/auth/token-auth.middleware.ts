import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { correlationIdOf } from '../common/correlation.middleware.js';
import { authenticate, roleAllows, type ApiToken, type Role } from './api-tokens.js';
import { presentedSecret } from './bearer.js';

/**
 * Guards pages that Nest's guards do not see (the Swagger documents, the queue dashboard): a
 * token with at least `role`, as a bearer token or as the password of HTTP Basic credentials, so
 * that a browser can open them.
 */
export function tokenAuth(tokens: readonly ApiToken[], role: Role, what: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const secret = presentedSecret(request.headers);
    const token = secret === undefined ? undefined : authenticate(tokens, secret);
    if (token && roleAllows(token.role, role)) {
      next();
      return;
    }
    const statusCode = token ? 403 : 401;
    if (!token) {
      response.setHeader('www-authenticate', 'Basic realm="redis-drill", charset="UTF-8"');
    }
    response.status(statusCode).json({
      statusCode,
      error: STATUS_CODES[statusCode],
      message: token
        ? `token ${token.name} has the role ${token.role}; ${what} needs ${role}`
        : `${what} needs a token with the role ${role} or above: as a bearer token, or as the password of HTTP Basic credentials`,
      correlationId: correlationIdOf(request),
    });
  };
}
