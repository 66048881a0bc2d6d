import 'reflect-metadata';
import { loadConfig, requireApiTokens } from './config/app-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  requireApiTokens(config);
  // The application is loaded only once its configuration holds: a bad variable is named at once,
  // without first paying for every module the service needs to run.
  const [{ Logger }, { Logger: PinoNestLogger }, { createApp }, { armShutdownDeadline }, { nestLogLevels }] = await Promise.all([
    import('@nestjs/common'),
    import('nestjs-pino'),
    import('./app.js'),
    import('./common/shutdown-deadline.js'),
    import('./common/nest-log-levels.js'),
  ]);
  const json = config.logFormat === 'json';
  // In JSON, Nest hands every level to pino, which keeps those LOG_LEVEL allows; lines from the boot wait for it.
  const app = await createApp(config, { logger: nestLogLevels(json ? 'trace' : config.logLevel), bufferLogs: json });
  if (json) {
    app.useLogger(app.get(PinoNestLogger));
  }
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
