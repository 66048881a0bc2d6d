import express from 'express';
import type { AddressInfo } from 'node:net';
import { pinoHttp } from 'pino-http';
import { afterEach, describe, expect, it } from 'vitest';
import { correlation } from './correlation.middleware.js';
import { addLogFields, withLogFields } from './log-context.js';
import { pinoHttpOptions } from './pino-options.js';

type Line = Record<string, unknown>;

/** The service's logging in front of a small app, with every line it writes parsed. */
async function logged(route: express.RequestHandler) {
  const lines: Line[] = [];
  const http = pinoHttp(pinoHttpOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  const app = express();
  app.use(correlation, http);
  app.get('/api/drills', route);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push(server);
  return { lines, logger: http.logger, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const servers: ReturnType<express.Express['listen']>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the pino options', () => {
  it('writes the access line with the correlation id, the drill created, the path without its query, and level names', async () => {
    // nestjs-pino writes a request's lines through the request's logger, as here.
    const { lines, base } = await logged((request, response) => {
      addLogFields({ drillId: 'drill-1' });
      request.log.info({ context: 'DrillService' }, 'queued');
      response.status(202).json({});
    });
    const response = await fetch(`${base}/api/drills?secret=x`, {
      headers: { 'x-correlation-id': 'corr-7', authorization: 'Bearer hunter2' },
    });
    expect(response.headers.get('x-correlation-id')).toBe('corr-7');
    await expect.poll(() => lines.length).toBe(2);
    const [inside, access] = lines;
    expect(inside).toMatchObject({
      level: 'info',
      context: 'DrillService',
      message: 'queued',
      correlationId: 'corr-7',
      drillId: 'drill-1',
    });
    expect(inside!.req).toEqual({ method: 'GET', path: '/api/drills' });
    expect(access).toMatchObject({
      level: 'info',
      context: 'Http',
      message: 'request',
      correlationId: 'corr-7',
      drillId: 'drill-1',
      method: 'GET',
      path: '/api/drills',
      status: 202,
      durationMs: expect.any(Number),
    });
    expect(typeof access!.time).toBe('string');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('makes up a correlation id when the caller sends none, or one that is not a plain token', async () => {
    const { lines, base } = await logged((_request, response) => void response.end());
    const response = await fetch(`${base}/api/drills`, { headers: { 'x-correlation-id': 'not a token' } });
    const given = response.headers.get('x-correlation-id');
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => lines.at(-1)?.correlationId).toBe(given);
  });

  it('gives lines written inside a drill its drill id and the correlation id of the request that asked for it', async () => {
    const { lines, logger } = await logged((_request, response) => void response.end());
    await withLogFields({ drillId: 'drill-2', correlationId: 'corr-8' }, async () => {
      await Promise.resolve();
      logger.info({ context: 'DrillWorker' }, 'drill drill-2: succeeded');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ context: 'DrillWorker', drillId: 'drill-2', correlationId: 'corr-8' });
    expect(lines[1]).not.toHaveProperty('drillId');
  });

  it('censors authorization headers, cookies and fields named like secrets, and survives a cycle', async () => {
    const { lines, logger } = await logged((_request, response) => void response.end());
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info(
      {
        headers: { authorization: 'Bearer hunter2', cookie: 'session=hunter2' },
        token: 'hunter2',
        target: { password: 'hunter2', secret: 'hunter2', name: 'lab' },
        cyclic,
      },
      'with secrets',
    );
    expect(lines[0]).toMatchObject({
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      token: '[redacted]',
      target: { password: '[redacted]', secret: '[redacted]', name: 'lab' },
      cyclic: { name: 'loop' },
    });
    expect(JSON.stringify(lines[0])).toContain('[Circular]');
  });
});
