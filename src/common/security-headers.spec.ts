import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowsInlineStyles, securityHeaders } from './security-headers.js';

describe('securityHeaders', () => {
  let base: string;
  let server: ReturnType<express.Express['listen']>;

  beforeAll(async () => {
    const app = express();
    app.use(securityHeaders());
    app.use((_request, response) => void response.json({}));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends a policy that allows this origin only, no inline script, no framing, and nosniff', async () => {
    const response = await fetch(`${base}/api/drills`);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy.split(';')).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "script-src 'self'",
        "script-src-attr 'none'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ]),
    );
    expect(policy).not.toContain('unsafe');
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it.each(['/api/docs', '/api/docs/', '/API/DOCS/swagger-ui.css', '/api/queues', '/api/queues/static/js/main.js'])(
    'allows inline styles, and still no inline script, on %s',
    async (path) => {
      const policy = (await fetch(`${base}${path}`)).headers.get('content-security-policy')!;
      expect(policy).toContain("style-src 'self' 'unsafe-inline'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("frame-ancestors 'none'");
    },
  );

  it.each(['/', '/index.html', '/api/drills', '/api/docsx', '/api/queuesx'])('keeps inline styles out of %s', (path) => {
    expect(allowsInlineStyles(path)).toBe(false);
  });
});
