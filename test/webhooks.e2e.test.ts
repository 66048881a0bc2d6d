import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { drillFinished, fetchAs, freePort, post, startService, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = { name: 'rdtest-hooks', basePort: 8500 };
const SECRET = 'webhook-secret-0123456789';

interface Received {
  path: string;
  body: string;
  signature: string | undefined;
  delivery: string | undefined;
}

describe('webhooks: a finished drill is posted, signed, and retried until the receiver takes it', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    // Nodes up but no cluster formed: the drill is refused at prepare, which is enough to announce.
    lab = await startTestLab(LAB, { form: false });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-hooks-'));
    const port = await freePort();
    let firstCalls = 0;
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({
          path: request.url ?? '',
          body,
          signature: request.headers['x-redis-drill-signature'] as string | undefined,
          delivery: request.headers['x-redis-drill-delivery'] as string | undefined,
        });
        // The first receiver is down once; the second takes everything.
        const down = request.url === '/first' && firstCalls++ === 0;
        response.writeHead(down ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    service = await startService({
      DATABASE_PATH: join(directory, 'drills.sqlite'),
      LAB_NAME: LAB.name,
      LAB_BASE_PORT: String(LAB.basePort),
      WEBHOOKS: `lab=http://127.0.0.1:${port}/first,*=http://127.0.0.1:${port}/second`,
      WEBHOOK_SECRET: SECRET,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('posts the outcome to every URL of the target, signed, and records each attempt in the drill', async () => {
    const { id } = (await (await post(service.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string };
    expect((await drillFinished(service.base, id)).status).toBe('failed');
    const events = await waitFor(
      async () => {
        const { items } = (await (await fetchAs(`${service.base}/drills/${id}/events?limit=1000`)).json()) as {
          items: { type: string; actor: string; data: Record<string, unknown> }[];
        };
        const delivered = items.filter((event) => event.type === 'WebhookDelivered');
        return delivered.length === 2 ? satisfied(items) : pending(`${delivered.length} of 2 webhooks delivered`);
      },
      { description: 'both webhooks to be delivered', timeoutMs: 30_000, intervalMs: 100 },
    );
    const attempts = events.filter((event) => event.type.startsWith('Webhook'));
    expect(
      attempts.map((event) => [event.type, new URL(event.data.url as string).pathname, event.data.attempt, event.actor]).sort(),
    ).toEqual([
      ['WebhookDelivered', '/first', 2, 'webhooks'],
      ['WebhookDelivered', '/second', 1, 'webhooks'],
      ['WebhookFailed', '/first', 1, 'webhooks'],
    ]);
    expect(attempts.find((event) => event.type === 'WebhookFailed')?.data).toMatchObject({
      error: 'the receiver answered 503',
      willRetry: true,
    });

    const first = received.filter((request) => request.path === '/first');
    expect(first).toHaveLength(2);
    // A retry is the same delivery, with the same body and signature.
    expect(first[1]).toEqual(first[0]);
    for (const request of received) {
      expect(request.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`);
      expect(JSON.parse(request.body)).toMatchObject({
        event: 'drill.failed',
        drill: {
          id,
          target: 'lab',
          scenario: 'group-failover',
          status: 'failed',
          error: expect.stringContaining('refused: preflight failed: target-ready'),
        },
      });
    }
  });
});
