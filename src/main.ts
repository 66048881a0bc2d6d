import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { loadConfig } from './config/app-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('redis-drill').log(`listening on http://${config.host}:${config.port}/api (docs at /api/docs)`);
}

main().catch((error: unknown) => {
  console.error(`redis-drill: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
