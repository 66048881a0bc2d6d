import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { JsonLogger } from './common/json-logger.js';
import { armShutdownDeadline } from './common/shutdown-deadline.js';
import { loadConfig, requireApiTokens } from './config/app-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  requireApiTokens(config);
  const app = await createApp(config, config.logFormat === 'json' ? { logger: new JsonLogger() } : {});
  if (!config.workerEnabled) {
    // No drill to park here: closing connections is all a shutdown does.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => armShutdownDeadline());
    }
  }
  await app.listen(config.port, config.host);
  new Logger('redis-drill').log(`listening on http://${config.host}:${config.port}/api (docs at /api/docs)`);
}

main().catch((error: unknown) => {
  console.error(`redis-drill: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
