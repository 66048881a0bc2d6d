import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiToken } from './api-tokens.js';

/** Who made a request, as the guard found it. */
export interface Caller {
  readonly name: string;
  readonly role: ApiToken['role'];
}

export type AuthenticatedRequest = Request & { caller?: Caller };

/** The authenticated caller of a route that needs a role. */
export const CallerOf = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) {
    throw new Error('no caller on the request: the route is public, so it cannot ask who called it');
  }
  return caller;
});
