import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ACCESS_KEY, type Access } from './access.decorator.js';
import { authenticate, roleAllows } from './api-tokens.js';
import { presentedSecret } from './bearer.js';
import type { AuthenticatedRequest } from './caller.js';

/** Every route: a bearer token whose role is at least the one the route requires. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    if (access === 'public') {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const secret = presentedSecret(request.headers);
    const token = secret === undefined ? undefined : authenticate(this.config.apiTokens, secret);
    if (!token) {
      http.getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="redis-drill"');
      throw new UnauthorizedException(
        secret === undefined
          ? 'this needs a bearer token: send "Authorization: Bearer <secret>"'
          : 'the bearer token is not one this service knows',
      );
    }
    if (!roleAllows(token.role, access)) {
      throw new ForbiddenException(`token ${token.name} has the role ${token.role}; this needs ${access}`);
    }
    request.caller = { name: token.name, role: token.role };
    return true;
  }
}
