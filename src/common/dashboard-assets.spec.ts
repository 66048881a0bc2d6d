import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAssets } from './dashboard-assets.js';

describe('dashboardAssets', () => {
  let base: string;
  let directory: string;
  let server: ReturnType<express.Express['listen']>;

  beforeAll(async () => {
    // Files at the API's own paths: were they looked up, they would answer instead of the routes.
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-assets-'));
    writeFileSync(join(directory, 'index.html'), '<p>dashboard</p>');
    writeFileSync(join(directory, 'app.js'), 'void 0;');
    mkdirSync(join(directory, 'api'));
    writeFileSync(join(directory, 'api', 'drills'), 'a file');
    writeFileSync(join(directory, 'metrics'), 'a file');
    const app = express();
    app.use(dashboardAssets(directory, ['/api', '/metrics']));
    app.use((request, response) => void response.type('text/plain').send(`route ${request.path}`));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves the dashboard at / and its files by name', async () => {
    expect(await (await fetch(`${base}/`)).text()).toBe('<p>dashboard</p>');
    expect(await (await fetch(`${base}/app.js`)).text()).toBe('void 0;');
  });

  it.each(['/api/drills', '/API/drills', '/metrics'])('leaves %s to the routes, never to a file', async (path) => {
    expect(await (await fetch(`${base}${path}`)).text()).toBe(`route ${path}`);
  });
});
