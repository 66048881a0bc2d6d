import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../error-body.dto.js';
import type { Role } from './api-tokens.js';

export const ACCESS_KEY = 'redis-drill:access';
export type Access = Role | 'public';

/**
 * The least role a route needs, on a controller or a handler (the handler's wins). A route with
 * neither needs `admin`: forgetting the decorator must not open a route to everyone.
 */
export function Requires(access: Access) {
  if (access === 'public') {
    return SetMetadata(ACCESS_KEY, access);
  }
  return applyDecorators(
    SetMetadata(ACCESS_KEY, access),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'No bearer token, or one this service does not know.' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: `The token's role is below ${access}.` }),
  );
}
