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
  const app = await createApp({ ...loadConfig(), databasePath: ':memory:', workerEnabled: false }, { logger: false });
  try {
    await app.init();
    writeFileSync(path, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
    console.log(`wrote ${path}`);
  } finally {
    await app.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(`openapi: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
