import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DiscoveredTargetDto } from '../src/admin/target-discovery.dto.js';
import { ClusterAdmin } from '../src/cluster/cluster-admin.js';
import { ClusterKeyspace } from '../src/cluster/cluster-keyspace.js';
import { RedisConnections } from '../src/cluster/redis-connections.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { loadConfig } from '../src/config/app-config.js';
import { canaries } from '../src/drills/canaries.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import { parseTargetsFile } from '../src/targets/targets-file.js';
import { startUnrelatedRedis } from './support/containers.js';
import { expectDrillEndedOverApi } from './support/drill-outcome.js';
import { freeLab } from './support/free-ports.js';
import { drillFinished, fetchAs, freePort, post, startService, TEST_TOKENS, type RunningService } from './support/service.js';

const run = promisify(execFile);

/** The seed's Compose file, read here so that this test builds exactly the layout users get from it. */
const compose = parse(readFileSync(new URL('../examples/seed-compose/docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  name: string;
  services: Record<string, { command: string[]; networks: { seed: { ipv4_address: string } } }>;
  networks: { seed: { ipam: { config: { subnet: string }[] } } };
};
const PROJECT = compose.name;
const NETWORK = 'addr-engines-seed';
const services = Object.entries(compose.services).map(([service, spec]) => ({
  service,
  container: `${PROJECT}-${service}-1`,
  address: spec.networks.seed.ipv4_address,
  command: spec.command,
}));
const at = (node: string) => services.find((each) => each.service === `redis-${node}`)!;
const endpoint = (node: string) => `${at(node).address}:6379`;

/**
 * The seed's own deployment, end to end: its twelve containers on a bridge network, each on port
 * 6379 at its container address, created through the Docker API as `docker compose up` would,
 * with the seed's steps 1–4 run by `redis-cli` inside the containers. The target is discovered,
 * then drilled over HTTP; a container on the same network that the target does not list is
 * never touched.
 */
describe('the seed’s compose deployment', () => {
  const docker = connectDocker();
  const connections = new RedisConnections();
  const admin = new ClusterAdmin(connections);
  const keyspace = new ClusterKeyspace(connections, admin);
  const directory = mkdtempSync(join(tmpdir(), 'addr-engines-seed-'));
  let queue: Awaited<ReturnType<typeof startUnrelatedRedis>>;
  let bystanderStartedAt: string;
  let service: RunningService | undefined;
  let serviceEnv: Record<string, string>;

  const cli = (node: string, ...args: string[]) => run('docker', ['exec', at(node).container, 'redis-cli', ...args]);

  /**
   * Clients of a node connected from outside the seed's containers, that is from the host, where
   * the service and this test run: `CLIENT LIST` less its own `redis-cli` (on loopback) and the
   * other nodes' replication links.
   */
  async function clientsFromOutside(node: string): Promise<number> {
    const inside = new Set(['127.0.0.1', ...services.map((each) => each.address)]);
    const { stdout } = await cli(node, 'client', 'list');
    return stdout
      .trim()
      .split('\n')
      .filter((line) => !inside.has(/(?:^| )addr=(\S+):\d+ /.exec(line)?.[1] ?? '')).length;
  }

  /** The seed's step 4 for one standby: B`index` joins the cluster as a replica of A`index`. */
  async function attachStandby(index: number): Promise<void> {
    const master = (await cli(`a${index}`, 'cluster', 'myid')).stdout.trim();
    await cli(
      'a1',
      '--cluster',
      'add-node',
      endpoint(`b${index}`),
      endpoint(`a${index}`),
      '--cluster-slave',
      '--cluster-master-id',
      master,
    );
  }

  async function removeAll(): Promise<void> {
    for (const name of [...services.map((each) => each.container), `${NETWORK}-bystander`]) {
      await docker
        .getContainer(name)
        .remove({ force: true })
        .catch(() => undefined);
    }
    await docker
      .getNetwork(NETWORK)
      .remove()
      .catch(() => undefined);
  }

  beforeAll(async () => {
    const config = loadConfig();
    const { image } = await ensureRedisImage(docker, { image: config.redisImage, pullTimeoutMs: config.imagePullTimeoutMs });
    await removeAll();
    await docker.createNetwork({
      Name: NETWORK,
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: compose.networks.seed.ipam.config[0]!.subnet }] },
      Labels: { 'io.redis-drill.test': NETWORK },
    });
    const bystander = {
      container: `${NETWORK}-bystander`,
      address: compose.networks.seed.ipam.config[0]!.subnet.replace(/0\/24$/, '99'),
      command: services[0]!.command,
      service: 'bystander',
    };
    for (const each of [...services, bystander]) {
      const created = await docker.createContainer({
        name: each.container,
        Image: image,
        Cmd: each.command,
        Labels: each === bystander ? {} : { 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': each.service },
        HostConfig: { NetworkMode: NETWORK },
        NetworkingConfig: { EndpointsConfig: { [NETWORK]: { IPAMConfig: { IPv4Address: each.address } } } },
      });
      await created.start();
    }
    bystanderStartedAt = (await docker.getContainer(bystander.container).inspect()).State.StartedAt;
    await waitFor(
      async () => {
        const answers = await Promise.all(services.map((each) => cli(each.service.slice(6), 'ping').catch((error: Error) => error)));
        return answers.every((answer) => !(answer instanceof Error) && answer.stdout.trim() === 'PONG')
          ? satisfied(undefined)
          : pending('a node does not answer PING yet');
      },
      { description: 'the twelve seed nodes to answer', timeoutMs: 30_000, intervalMs: 200 },
    );

    // The seed's steps 1–4: cluster A with a replica per master, a key, B1–B3 attached as replicas.
    const groupA = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map(endpoint);
    await cli('a1', '--cluster', 'create', ...groupA, '--cluster-replicas', '1', '--cluster-yes');
    // The cluster may answer CLUSTERDOWN for a moment after its creation; redis-cli exits 0 either way.
    await waitFor(
      async () => {
        const { stdout } = await cli('a1', '-c', 'set', 'a', 'a');
        return stdout.trim().split('\n').at(-1) === 'OK' ? satisfied(undefined) : pending(`SET answered ${stdout.trim()}`);
      },
      { description: 'the new cluster to take the seed key', timeoutMs: 20_000, intervalMs: 200 },
    );
    // B3 joins in the discovery test, right before discovery, as a user's setup script would.
    await attachStandby(1);
    await attachStandby(2);

    const queuePort = await freePort();
    queue = await startUnrelatedRedis(docker, image, `${NETWORK}-queue`, queuePort);
    const lab = await freeLab(`${NETWORK}-lab`);
    serviceEnv = {
      DATABASE_PATH: join(directory, 'drills.sqlite'),
      LAB_NAME: lab.name,
      LAB_BASE_PORT: String(lab.basePort),
      REDIS_URL: `redis://127.0.0.1:${queuePort}`,
    };
    service = await startService(serviceEnv);
  });

  afterAll(async () => {
    await service?.stop();
    await connections.closeAll();
    await queue?.remove();
    await removeAll();
    rmSync(directory, { recursive: true, force: true });
  });

  let discovered: DiscoveredTargetDto;

  it('discovers the target from the Compose project and one node, over the API and the CLI, changes nothing and leaves no connection open', async () => {
    // A connection from the host counts as from outside: this test's own, open until closed.
    await admin.entries({ name: 'a1', host: at('a1').address, port: 6379 });
    expect(await clientsFromOutside('a1')).toBe(1);
    await connections.closeAll();

    // Asked at once, before gossip has told every member that B3 joined as A3's replica: discovery
    // waits for the members to agree rather than take B3 for a spare or a master without slots.
    await attachStandby(3);
    const response = await post(
      service!.base,
      '/admin/targets/discover',
      { name: 'seed', project: PROJECT, node: endpoint('a2') },
      'admin',
    );
    expect(response.status, await response.clone().text()).toBe(200);
    discovered = (await response.json()) as DiscoveredTargetDto;
    expect(discovered).toMatchObject({
      servingGroup: 'A',
      masters: ['a1', 'a2', 'a3'],
      standbys: ['b1', 'b2', 'b3'],
      spares: ['b4', 'b5', 'b6'],
    });
    expect([...discovered.replicas].sort()).toEqual(['a4', 'a5', 'a6']);
    expect(discovered.entry.containerLabel).toEqual({ key: 'com.docker.compose.project', value: PROJECT });
    expect(discovered.entry.clusterConfigFile).toBe('/data/nodes.conf');
    expect(discovered.entry.groups.B[3]).toEqual({ name: 'b4', host: at('b4').address, port: 6379, containerName: at('b4').container });
    // The entry is a targets file as it stands.
    expect(parseTargetsFile(JSON.stringify({ targets: [discovered.entry] })).targets[0]!.name).toBe('seed');

    const { stdout, stderr } = await run(
      process.execPath,
      ['dist/cli/redis-drill.cli.js', 'targets', 'discover', '--name', 'seed', '--project', PROJECT, '--node', endpoint('b1')],
      { env: { ...process.env, REDIS_DRILL_URL: service!.base, REDIS_DRILL_TOKEN: TEST_TOKENS.admin } },
    );
    expect(JSON.parse(stdout)).toEqual(discovered.entry);
    expect(stderr).toContain('group A serves');

    const refused = await post(
      service!.base,
      '/admin/targets/discover',
      { name: 'seed', label: 'io.example=none', node: endpoint('a1') },
      'admin',
    );
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toBe('no container carries the label io.example=none');
    const targets = (await (await fetchAs(`${service!.base}/admin/targets`)).json()) as { name: string }[];
    expect(targets.map((target) => target.name)).toEqual(['lab']);

    // Discovery read every member, and closed what it opened: no node holds a connection from the service.
    const nodes = services.map((each) => each.service.slice(6));
    await waitFor(
      async () => {
        const counts = await Promise.all(nodes.map(async (node) => [node, await clientsFromOutside(node)] as const));
        const holding = counts.filter(([, count]) => count > 0);
        return holding.length === 0
          ? satisfied(undefined)
          : pending(`still connected from outside: ${holding.map(([node, count]) => `${node} (${count})`).join(', ')}`);
      },
      { description: "discovery's connections to the seed's nodes to close", timeoutMs: 5_000, intervalMs: 100 },
    );
  });

  it('runs group-failover, then failover-and-failback, on the discovered target over the bridge network', async () => {
    expect(discovered, 'the discovery test ran first').toBeDefined();
    const targetsFile = join(directory, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify({ targets: [discovered.entry] }));
    await service!.stop();
    service = await startService({ ...serviceEnv, TARGETS_FILE: targetsFile });

    let last = '';
    for (const scenario of ['group-failover', 'failover-and-failback']) {
      const accepted = await post(service.base, '/drills', { scenario, target: 'seed' });
      expect(accepted.status, await accepted.clone().text()).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      const drill = await drillFinished(service.base, id, 110_000);
      await expectDrillEndedOverApi(service.base, drill, 'succeeded');
      last = id;
      if (scenario === 'group-failover') {
        // The seed's step 10: the key written before the failover is served by group B.
        expect((await cli('b1', '-c', 'get', 'a')).stdout.trim().split('\n').at(-1)).toBe('a');
      }
    }

    // group-failover left B serving; failover-and-failback went to A and back to B.
    const check = await cli('b1', '--cluster', 'check', endpoint('b1'));
    expect(check.stdout).toContain('[OK] All 16384 slots covered.');
    const expected = canaries(last, 16_384);
    const masters = ['b1', 'b2', 'b3'].map((name) => ({ name, host: at(name).address, port: 6379 }));
    const found = await keyspace.read(
      masters,
      expected.map((canary) => canary.key),
    );
    expect(expected.filter((canary) => found.get(canary.key) !== canary.value)).toEqual([]);

    const bystander = await docker.getContainer(`${NETWORK}-bystander`).inspect();
    expect(bystander.State.Running).toBe(true);
    expect(bystander.State.StartedAt).toBe(bystanderStartedAt);
  });
});
