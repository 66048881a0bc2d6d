import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp, openApiDocument } from './app.js';
import { loadConfig } from './config/app-config.js';

/**
 * Writes the OpenAPI document of the built service to the file given (default `openapi.json`),
 * without listening or running drills. A test fails when the committed file and the running
 * service's document differ, so run this (`npm run openapi`) after changing the API.
 */
async function main(path = 'openapi.json'): Promise<void> {
  // Not initialised: the document needs only the routes, not the queue's Redis or the lab.
  const app = await createApp(
    { ...loadConfig(), databasePath: ':memory:', databaseUrl: undefined, workerEnabled: false },
    { logger: false },
  );
  writeFileSync(path, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
  console.log(`wrote ${path}`);
}

main(process.argv[2]).then(
  // Connections the modules opened while being created would keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`openapi: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
