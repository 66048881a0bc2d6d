import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { WEBHOOK_BACKOFF_MS } from '../src/notifications/webhooks.js';
import { drillFinished, fetchAs, freePort, getDrill, post, startService, type RunningService } from './support/service.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { drillEnded } from './support/drill-outcome.js';

const LAB = await freeLab('rdtest-hooks');
const SECRET = 'webhook-secret-0123456789';
/** A plain-text WEBHOOK_SECRET as a Standard Webhooks verifier takes it: its bytes in base64. */
const verifier = new Webhook(`whsec_${Buffer.from(SECRET).toString('base64')}`);

interface Received {
  path: string;
  drillId: string | undefined;
  body: string;
  /** The deprecated headers. */
  signature: string | undefined;
  delivery: string | undefined;
  /** The Standard Webhooks headers, as a verifier takes them. */
  standard: Record<string, string>;
  /** What the receiver answered. */
  status: number;
  at: number;
}

interface StreamEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

interface Payload {
  event: string;
  drill: Record<string, unknown> & { timings: Record<string, number> };
}

function drillIdOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as Payload).drill.id as string;
  } catch {
    return undefined;
  }
}

describe('webhooks: every outcome of a drill is posted, signed the Standard Webhooks way, and retried until the receiver takes it', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService;
  let receiver: Server;
  let refusedId: string;
  const received: Received[] = [];

  const requestDrill = async (body: unknown): Promise<string> => {
    const response = await post(service.base, '/drills', body);
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  /**
   * Waits for both receivers to have taken the drill, checks every attempt on either side, and
   * returns the one body they were sent.
   */
  const expectAnnounced = async (id: string): Promise<Payload> => {
    const attempts = await waitFor(
      async () => {
        const { items } = (await (await fetchAs(`${service.base}/drills/${id}/events?limit=1000`)).json()) as { items: StreamEvent[] };
        const hooks = items.filter((event) => event.type.startsWith('Webhook'));
        const delivered = hooks.filter((event) => event.type === 'WebhookDelivered').length;
        return delivered >= 2 ? satisfied(hooks) : pending(`${delivered} of 2 webhooks delivered`);
      },
      { description: `both webhooks of drill ${id} to be delivered`, timeoutMs: 30_000, intervalMs: 100 },
    );
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

    const requests = received.filter((request) => request.drillId === id);
    // One successful delivery per receiver, and no duplicate.
    expect(requests.map((request) => [request.path, request.status]).sort()).toEqual([
      ['/first', 204],
      ['/first', 503],
      ['/second', 204],
    ]);
    const [refused, retried] = requests.filter((request) => request.path === '/first');
    const second = requests.find((request) => request.path === '/second')!;
    // A retry is the same delivery, with the same body and signature, after the backoff (less timer slack).
    expect(retried!.delivery).toBe(refused!.delivery);
    expect(retried!.signature).toBe(refused!.signature);
    expect(retried!.standard['webhook-id']).toBe(refused!.standard['webhook-id']);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(WEBHOOK_BACKOFF_MS - 100);
    expect(second.delivery).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.delivery).not.toBe(refused!.delivery);
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    for (const request of requests) {
      expect(request.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`);
      expect(request.standard['webhook-id']).toBe(request.delivery);
      expect(verifier.verify(request.body, request.standard)).toEqual(JSON.parse(request.body));
    }

    // The body is the drill as the API reports it.
    const payload = JSON.parse(second.body) as Payload;
    const drill = await getDrill(service.base, id);
    expect(payload).toEqual({
      event: `drill.${drill.status}`,
      drill: {
        id,
        target: drill.target,
        scenario: drill.scenario,
        trigger: drill.trigger,
        status: drill.status,
        error: drill.error,
        requestedAt: drill.requestedAt,
        startedAt: drill.startedAt,
        finishedAt: drill.finishedAt,
        timings: drill.timings,
      },
    });
    return payload;
  };

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: false });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-hooks-'));
    const port = await freePort();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const path = request.url ?? '';
        const drillId = drillIdOf(body);
        // The first receiver is down for the first attempt at each drill; the second takes everything.
        const down = path === '/first' && !received.some((earlier) => earlier.path === path && earlier.drillId === drillId);
        const status = down ? 503 : 204;
        received.push({
          path,
          drillId,
          body,
          signature: request.headers['x-redis-drill-signature'] as string | undefined,
          delivery: request.headers['x-redis-drill-delivery'] as string | undefined,
          standard: Object.fromEntries(
            ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]),
          ),
          status,
          at: performance.now(),
        });
        response.writeHead(status).end();
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
    // Nodes up but no cluster formed: this drill is refused at prepare. The others need the cluster.
    refusedId = await requestDrill({ scenario: 'group-failover' });
    await drillFinished(service.base, refusedId);
    await lab.lab.form();
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('posts a failed drill to every URL of the target, signed, and records each attempt in the drill', async () => {
    const { event, drill } = await expectAnnounced(refusedId);
    expect(event).toBe('drill.failed');
    expect(drill).toMatchObject({
      id: refusedId,
      target: 'lab',
      scenario: 'group-failover',
      status: 'failed',
      error: expect.stringContaining('refused: preflight failed: target-ready'),
    });
  });

  it('posts a succeeded drill with its timings, and one aborted while it waited for the target', async () => {
    const succeededId = await requestDrill({ scenario: 'group-failover', options: { probe: false } });
    // The target is reserved for the drill ahead, so this one waits, and is aborted before it starts.
    const abortedId = await requestDrill({ scenario: 'group-failover', waitForTarget: true });
    const abort = await post(service.base, `/drills/${abortedId}/abort`, { reason: 'change freeze' }, 'operator');
    expect(abort.status).toBe(202);

    await drillEnded(service.base, succeededId, 'succeeded');
    await drillEnded(service.base, abortedId, 'aborted');

    const succeeded = await expectAnnounced(succeededId);
    expect(succeeded.event).toBe('drill.succeeded');
    expect(succeeded.drill).toMatchObject({ id: succeededId, target: 'lab', scenario: 'group-failover', status: 'succeeded' });
    expect(succeeded.drill).not.toHaveProperty('error');
    // probe: false ran no probe, so there are no probe figures to post.
    expect(succeeded.drill).not.toHaveProperty('probe');
    const { killToServingMs, killToRedundantMs, totalMs } = succeeded.drill.timings;
    expect(killToServingMs).toBeGreaterThan(0);
    expect(killToRedundantMs).toBeGreaterThanOrEqual(killToServingMs!);
    expect(totalMs).toBeGreaterThan(killToRedundantMs!);

    const aborted = await expectAnnounced(abortedId);
    expect(aborted.event).toBe('drill.aborted');
    expect(aborted.drill).toMatchObject({ id: abortedId, target: 'lab', status: 'aborted', error: 'aborted: change freeze' });
    // It never started, so it has no start and no timings.
    expect(aborted.drill).not.toHaveProperty('startedAt');
    expect(aborted.drill.timings).toEqual({});
  });
});
