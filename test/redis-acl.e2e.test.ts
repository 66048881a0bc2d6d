import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeAuthenticationError } from '../src/cluster/cluster-errors.js';
import { RedisConnections } from '../src/cluster/redis-connections.js';
import { LAB_LABEL, labQueueUrl, labTarget, type LabSettings } from '../src/lab/lab-topology.js';
import { targetNodes } from '../src/targets/drill-target.js';
import { drillEnded } from './support/drill-outcome.js';
import { freeLab } from './support/free-ports.js';
import { fetchAs, post, startService, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const PASSWORD_ENV = 'AUTH_TLS_TEST_DRILL_PASSWORD';

/** The drill user's ACL exactly as docs/security.md gives it, with this run's password. */
function documentedAcl(password: string): string[] {
  const line = readFileSync('docs/security.md', 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith('ACL SETUSER drill '));
  if (!line) {
    throw new Error('docs/security.md gives no "ACL SETUSER drill …" line');
  }
  return line
    .split(' ')
    .slice(2)
    .map((word) => (word === '>YOUR-PASSWORD' ? `>${password}` : word));
}

describe('a target whose nodes want an ACL user, drilled as the least-privilege user of the docs', () => {
  const password = randomBytes(16).toString('hex');
  const adminPassword = randomBytes(16).toString('hex');
  /** Every answer the service gave in this file, searched for the passwords at the end. */
  const answers: string[] = [];
  let settings: LabSettings;
  let lab: TestLab;
  let service: RunningService;
  let directory: string;

  const send = async (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await post(service.base, path, body);
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  };
  const read = async (path: string): Promise<unknown> => {
    const text = await (await fetchAs(`${service.base}${path}`)).text();
    answers.push(text);
    return JSON.parse(text);
  };
  const drill = async (scenario: string, status: 'succeeded' | 'failed') => {
    const requested = await send('/drills', { target: 'secured', scenario });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    const done = await drillEnded(service.base, requested.body.id as string, status);
    answers.push(JSON.stringify(done));
    return done;
  };

  beforeAll(async () => {
    settings = {
      ...(await freeLab('auth-tls-acl')),
      security: { users: [documentedAcl(password), ['labadmin', 'on', `>${adminPassword}`, '~*', '&*', '+@all']] },
    };
    lab = await startTestLab(settings, { form: true, connection: { credentials: { username: 'labadmin', password: adminPassword } } });
    directory = mkdtempSync(join(tmpdir(), 'auth-tls-acl-'));
    const node = ({ name, port, containerName }: { name: string; port: number; containerName: string }) => ({ name, port, containerName });
    const { groups, clusterConfigFile } = labTarget(settings);
    const targetsFile = join(directory, 'targets.json');
    writeFileSync(
      targetsFile,
      JSON.stringify({
        default: 'secured',
        targets: [
          {
            name: 'secured',
            containerLabel: { key: LAB_LABEL, value: settings.name },
            clusterConfigFile,
            groups: { A: groups.A.map(node), B: groups.B.map(node) },
            auth: { username: 'drill', passwordEnv: PASSWORD_ENV },
          },
        ],
      }),
    );
    // The service's own lab is elsewhere, on ports nothing uses: the secured lab is its target `secured`.
    const unused = await freeLab('auth-tls-acl-unused');
    service = await startService({
      DATABASE_PATH: join(directory, 'drills.sqlite'),
      TARGETS_FILE: targetsFile,
      LAB_NAME: unused.name,
      LAB_BASE_PORT: String(unused.basePort),
      REDIS_URL: labQueueUrl(settings),
      LOG_LEVEL: 'debug',
      [PASSWORD_ENV]: password,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await lab?.close();
    if (directory) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('runs a group failover, then a failover and failback, as that user, the probe included', async () => {
    const plan = await send('/drills/plan', { target: 'secured', scenario: 'failover-and-failback' });
    expect(plan.status).toBe(200);
    expect(JSON.stringify(plan.body)).toContain(`CONFIG SET masteruser drill, CONFIG SET masterauth <password>`);
    expect(JSON.stringify(plan.body)).toContain(`$${PASSWORD_ENV}`);

    await drill('group-failover', 'succeeded');
    const cycle = await drill('failover-and-failback', 'succeeded');
    const report = cycle.probe;
    expect(report?.acked).toBeGreaterThan(0);
    expect(report?.lostAckedWrites).toBe(0);
    // The failback restarted group B afresh: its nodes replicate with the drill user the service gave them.
    const [b1] = labTarget(settings).groups.B;
    expect(await lab.admin.configGet(b1!, 'masteruser')).toBe('drill');
  });

  it('refuses at preflight a user missing one permission, naming it, and touches nothing', async () => {
    const nodes = targetNodes(labTarget(settings));
    await Promise.all(nodes.map((node) => lab.connections.command(node, 'ACL', 'SETUSER', 'drill', '-cluster|failover')));
    try {
      const refused = await drill('group-failover', 'failed');
      expect(refused.error).toMatch(
        /^refused: preflight failed: redis-access: user drill lacks the permission cluster\|failover \(on a1, a2, /,
      );
      const events = (await read(`/drills/${refused.id}/events`)) as { items: { type: string }[] };
      expect(events.items.map((event) => event.type)).not.toContain('NodeKilled');
    } finally {
      await Promise.all(nodes.map((node) => lab.connections.command(node, 'ACL', 'SETUSER', 'drill', '+cluster|failover')));
    }
  });

  it('names the node and the cause when the password is wrong, without the password', async () => {
    const wrong = `${password}-wrong`;
    const connections = new RedisConnections({}, () => ({ credentials: { username: 'drill', password: wrong } }));
    const [a1] = labTarget(settings).groups.A;
    const refusal = await connections.command(a1!, 'PING').catch((error: unknown) => error);
    await connections.closeAll();
    expect(refusal).toBeInstanceOf(NodeAuthenticationError);
    expect((refusal as Error).message).toBe(
      `Redis at ${a1!.host}:${a1!.port} did not accept the target's credentials: WRONGPASS invalid username-password pair or user is disabled.`,
    );
    expect(JSON.stringify(refusal, Object.getOwnPropertyNames(refusal))).not.toContain(wrong);
    expect(JSON.stringify((refusal as Error).cause ?? {}, Object.getOwnPropertyNames((refusal as Error).cause ?? {}))).not.toContain(wrong);
  });

  it('never shows the password: not in events, logs, API answers, errors or plans', async () => {
    answers.push(JSON.stringify(await read('/admin/targets')));
    const drills = (await read('/drills?limit=100')) as { items: { id: string }[] };
    for (const { id } of drills.items) {
      await read(`/drills/${id}/events?limit=500`);
      await read(`/drills/${id}`);
    }
    const seen = [...answers, service.output()].join('\n');
    expect(seen).toContain('secured');
    expect(seen.includes(password)).toBe(false);
    expect(seen.includes(adminPassword)).toBe(false);
  });
});
