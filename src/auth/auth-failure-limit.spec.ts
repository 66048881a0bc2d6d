import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authFailureLimit } from './auth-failure-limit.js';

describe('authFailureLimit', () => {
  let base: string;
  let server: ReturnType<express.Express['listen']>;

  beforeAll(async () => {
    const app = express();
    app.use(authFailureLimit(3, 60_000));
    app.get('/refused', (_request, response) => void response.status(401).json({}));
    app.get('/forbidden', (_request, response) => void response.status(403).json({}));
    app.get('/fine', (_request, response) => void response.json({}));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('counts only 401 answers, then answers 429 with Retry-After to everything from that address', async () => {
    for (let round = 0; round < 5; round++) {
      expect((await fetch(`${base}/fine`)).status).toBe(200);
      expect((await fetch(`${base}/forbidden`)).status).toBe(403);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await fetch(`${base}/refused`)).status).toBe(401);
    }
    const limited = await fetch(`${base}/fine`, { headers: { 'x-correlation-id': 'corr-429' } });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `too many requests from this address were refused for want of a valid token (3 in 60 s); try again in ${retryAfter} s`,
      correlationId: 'corr-429',
    });
    // A refused request does not extend the lock-out.
    expect((await fetch(`${base}/refused`)).status).toBe(429);
  });

  it('does not count a request its client gave up on before the answer', async () => {
    const app = express();
    app.use(authFailureLimit(2, 60_000));
    // Answers only once its client has gone: the answer never finishes.
    app.get('/slow', (request, response) => void request.once('close', () => response.destroy()));
    app.get('/fine', (_request, response) => void response.json({}));
    const slowServer = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => slowServer.once('listening', resolve));
    const slowBase = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const controller = new AbortController();
        const cut = fetch(`${slowBase}/slow`, { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        await expect(cut).rejects.toThrow();
      }
      expect((await fetch(`${slowBase}/fine`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => slowServer.close(resolve));
    }
  });
});
