import { RequestMethod, ValidationPipe, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { correlation } from './common/correlation.middleware.js';
import { securityHeaders } from './common/security-headers.js';
import { dashboardAssets } from './common/dashboard-assets.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { InheritedKeysPipe } from './common/inherited-keys.pipe.js';
import { tokenAuth } from './auth/token-auth.middleware.js';
import { authFailureLimit } from './auth/auth-failure-limit.js';
import { mountQueueBoard } from './queue/queue-board.js';
import { METRICS_PATHS } from './metrics/metrics.controller.js';

/** The largest request body accepted; the biggest legitimate one is a few hundred bytes. */
export const BODY_LIMIT = '16kb';

/** The configured application, not yet listening: `main.ts` serves it, tests drive it. */
export async function createApp(config: AppConfig, options: NestApplicationOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: ['log', 'warn', 'error'],
    ...options,
    bodyParser: false,
  });
  app.use(correlation);
  app.use(securityHeaders());
  if (config.authFailureLimit > 0) {
    app.use(authFailureLimit(config.authFailureLimit, config.authFailureWindowMs));
  }
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.disable('x-powered-by');
  // The dashboard, built by Vite next to this file; the API stays under /api.
  const dashboard = join(dirname(fileURLToPath(import.meta.url)), 'web');
  if (existsSync(join(dashboard, 'index.html'))) {
    app.use(dashboardAssets(dashboard, ['/api', ...METRICS_PATHS.map((path) => `/${path}`)]));
  }
  // Prometheus scrapes /metrics unless told otherwise; the same text is also under /api.
  app.setGlobalPrefix('api', { exclude: METRICS_PATHS.map((path) => ({ path, method: RequestMethod.GET })) });
  app.useGlobalPipes(new InheritedKeysPipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  // Every document Swagger serves: the UI, its JSON and its YAML.
  app.use(['/api/docs', '/api/docs-json', '/api/docs-yaml'], tokenAuth(config.apiTokens, 'viewer', 'the API docs'));
  mountQueueBoard(app, config.apiTokens);
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

export function openApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('redis-drill')
    .setDescription('Disaster-recovery drills for Redis Cluster: fail over to a standby group, with every step recorded and timed.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from API_TOKENS; its role decides what it may do.' })
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, info);
}
