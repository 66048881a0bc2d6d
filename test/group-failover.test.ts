import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterNodes, slotCount } from '../src/cluster/cluster-nodes.parser.js';
import { canaries } from '../src/drills/canaries.js';
import { GROUP_FAILOVER_STEPS } from '../src/drills/scenarios.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { startUnrelatedRedis } from './support/containers.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab, freePortBlock } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const run = promisify(execFile);
const UNRELATED_PORT = await freePortBlock(1);

describe('a group-failover drill on the Docker lab', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  let unrelated: Awaited<ReturnType<typeof startUnrelatedRedis>>;
  let state: DrillState;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-failover'), { form: true });
    unrelated = await startUnrelatedRedis(lab.docker, lab.image, 'rdtest-unrelated-failover', UNRELATED_PORT);
    drills = await drillRunnerFor(lab);
    state = await drills.runDrill();
  });

  afterAll(async () => {
    await drills?.close();
    await unrelated?.remove();
    await lab?.close();
  });

  it('succeeds, with every step timed', async () => {
    expect(state.error).toBeUndefined();
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(state.steps.map((step) => [step.name, step.status])).toEqual(GROUP_FAILOVER_STEPS.map((name) => [name, 'succeeded']));
    expect(state.timings.killToServingMs).toBeGreaterThan(0);
    expect(state.timings.killToRedundantMs).toBeGreaterThan(state.timings.killToServingMs!);
  });

  it('leaves B as three masters owning all slots, each with one replica from B, and no trace of A', async () => {
    const [b1, b2, b3, b4, b5, b6] = lab.target.groups.B;
    const entries = parseClusterNodes(String(await lab.connections.command(b1!, 'CLUSTER', 'NODES')));
    expect(entries.map((entry) => entry.port).sort()).toEqual([b1, b2, b3, b4, b5, b6].map((node) => node!.port));
    const byPort = new Map(entries.map((entry) => [entry.port, entry]));
    for (const [master, replica] of [
      [b1, b4],
      [b2, b5],
      [b3, b6],
    ] as const) {
      expect(byPort.get(master!.port)).toMatchObject({ role: 'master' });
      expect(byPort.get(replica!.port)).toMatchObject({ role: 'replica', masterId: byPort.get(master!.port)!.id });
    }
    expect(entries.reduce((sum, entry) => sum + slotCount(entry), 0)).toBe(16384);
    expect(
      entries.filter((entry) => entry.flags.some((flag) => flag.startsWith('fail') || flag === 'handshake' || flag === 'noaddr')),
    ).toEqual([]);
  });

  it('passes redis-cli --cluster check from a B node', async () => {
    const { stdout } = await run('redis-cli', ['--cluster', 'check', `127.0.0.1:${lab.target.groups.B[0]!.port}`]);
    expect(stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(stdout).toContain('[OK] All 16384 slots covered.');
  });

  it('still has every canary key, read through a cluster client that starts from B', async () => {
    const client = new Cluster(
      lab.target.groups.B.map((node) => ({ host: node.host, port: node.port })),
      { enableAutoPipelining: true, redisOptions: { connectTimeout: 1000 } },
    );
    try {
      const expected = canaries(state.id, 16384);
      const values = await Promise.all(expected.map((canary) => client.get(canary.key)));
      expect(values.filter((value, index) => value !== expected[index]!.value)).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('recorded each step once, in order, with its duration, and the events each step caused', async () => {
    const rows: { type: string; data: string }[] = await drills.dataSource.query(
      'SELECT type, data FROM drill_events WHERE stream_id = ? ORDER BY sequence',
      [state.id],
    );
    const stepEvents = rows
      .filter((row) => row.type === 'StepStarted' || row.type === 'StepSucceeded')
      .map((row) => ({ type: row.type, ...(JSON.parse(row.data) as { step: string; durationMs?: number }) }));
    expect(stepEvents.map((event) => `${event.type}:${event.step}`)).toEqual(
      GROUP_FAILOVER_STEPS.flatMap((step) => [`StepStarted:${step}`, `StepSucceeded:${step}`]),
    );
    for (const event of stepEvents.filter((candidate) => candidate.type === 'StepSucceeded')) {
      expect(event.durationMs).toBeGreaterThan(0);
    }
    const count = (type: string) => rows.filter((row) => row.type === type).length;
    expect([count('NodeKilled'), count('ReplicaPromoted'), count('NodeForgotten'), count('NodeMet'), count('ReplicaAttached')]).toEqual([
      6, 3, 6, 3, 3,
    ]);
    const killed = rows.filter((row) => row.type === 'NodeKilled').map((row) => (JSON.parse(row.data) as { node: string }).node);
    expect(killed.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(rows.at(-1)!.type).toBe('DrillSucceeded');
  });

  it("killed A's containers and nothing else", async () => {
    const running = async (name: string) => (await lab.docker.getContainer(name).inspect()).State.Running;
    for (const node of lab.target.groups.A) {
      expect(await running(node.containerName)).toBe(false);
    }
    for (const node of lab.target.groups.B) {
      expect(await running(node.containerName)).toBe(true);
    }
    expect(await running(`${lab.settings.name}-queue`)).toBe(true);
    expect(await unrelated.running()).toBe(true);
    expect(await lab.connections.command({ host: '127.0.0.1', port: UNRELATED_PORT }, 'PING')).toBe('PONG');
  });
});
