import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { LAB_SERVER_IMAGES, labServerImageSettings, type LabServer } from '../src/docker/lab-servers.js';
import { connectDocker } from '../src/docker/docker-engine.js';
import { ensureRedisImage } from '../src/docker/redis-image.js';
import { loadConfig } from '../src/config/app-config.js';
import type { DrillOptions } from '../src/drills/drill-events.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { GROUP_FAILOVER_STEPS, type ScenarioName } from '../src/drills/scenarios.js';
import { topologyDifferences } from '../src/drills/topology-match.js';
import type { ProbeReport } from '../src/probe/probe-report.js';
import { failoverLayout, targetNodes } from '../src/targets/drill-target.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { expectDrillEnded, expectDrillEndedOverApi } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { drillFinished, post, startService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

/**
 * The drills that matter for correctness, on the servers besides the host's Redis 7.0 (which the
 * rest of the suite drills): one lab per server, shared by all its cases.
 */
const SERVERS: { server: LabServer; name: string; version: RegExp; prewired: boolean }[] = [
  { server: 'redis-8.0', name: 'redis', version: /^8\.0\.\d+$/, prewired: true },
  // Valkey moves a replica's replicas to its new master: the prewired chain cannot exist there.
  { server: 'valkey-8.1', name: 'valkey', version: /^8\.1\.\d+$/, prewired: false },
];

/** On a machine without a registry, each image is built once from Debian's packages: a few minutes on a busy machine. */
const IMAGE_BUILD_TIMEOUT_MS = 20 * 60_000;

describe.each(SERVERS)('drills on $server', ({ server, name, version, prewired }) => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    const config = loadConfig();
    await ensureRedisImage(connectDocker(), labServerImageSettings(server, config.imagePullTimeoutMs, config.debianMirror), (line) =>
      console.log(`${server}: ${line}`),
    );
  }, IMAGE_BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    lab = await startTestLab(await freeLab(`versions-${server}`), { form: true, server });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  async function run(scenario: ScenarioName, options: DrillOptions = {}): Promise<{ state: DrillState; types: string[] }> {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual', options },
    });
    const { state } = await drills.runner.run(id);
    return { state, types: (await drills.store.read(id)).map((event) => event.type) };
  }

  it(`runs on the lab's ${LAB_SERVER_IMAGES[server].official} or the image built from Debian's package`, () => {
    expect([LAB_SERVER_IMAGES[server].official, LAB_SERVER_IMAGES[server].local]).toContain(lab.image);
  });

  it('fails over and back twice, the first with a planned probe that loses no acknowledged write, and says which server it drilled', async () => {
    const { state, types } = await run('failover-and-failback', { planned: true, probeWritesPerSecond: 600 });
    expect(state.error).toBeUndefined();
    await expectDrillEnded(drills.store, state, 'succeeded');
    // Valkey says redis_version 7.2.4; the drill records its own version, from every node.
    expect(state.servers).toEqual([
      { server: name, version: expect.stringMatching(version), nodes: targetNodes(lab.target).map((node) => node.name) },
    ]);
    expect(types.indexOf('ServersIdentified')).toBeLessThan(types.indexOf('PreflightPassed'));
    const report = (state.probe as { report: ProbeReport }).report;
    expect(report.acked).toBeGreaterThan(300);
    expect(report.lostAckedWrites).toBe(0);
    expect(topologyDifferences(state.topology, await lab.admin.snapshots(targetNodes(lab.target)))).toEqual([]);
    expect(await lab.missingCanaries(state.id, failoverLayout(lab.target, 'A').servingMasters)).toEqual([]);

    // A second cycle straight after: the failback's hand-over needs no election, so nothing waits out the first one's votes.
    const again = await run('failover-and-failback');
    expect(again.state.error).toBeUndefined();
    await expectDrillEnded(drills.store, again.state, 'succeeded');
    expect(await lab.missingCanaries(again.state.id, failoverLayout(lab.target, 'A').servingMasters)).toEqual([]);
  });

  it('fails over A to B and B back to A, restoring the stopped standby group', async () => {
    const there = await run('group-failover');
    expect(there.state.error).toBeUndefined();
    await expectDrillEnded(drills.store, there.state, 'succeeded');
    expect(there.state.steps.map((step) => step.name)).toEqual([...GROUP_FAILOVER_STEPS]);
    await expectGroupBHealthy(lab);
    expect(await lab.missingCanaries(there.state.id, lab.target.groups.B)).toEqual([]);

    const back = await run('group-failover');
    expect(back.state.error).toBeUndefined();
    expect(back.state).toMatchObject({ status: 'succeeded', direction: { from: 'B', to: 'A' } });
    expect(back.types).toEqual(expect.arrayContaining(['StandbyRestoreStarted', 'StandbyGroupRestored']));
  });

  it.runIf(prewired)('runs the prewired standby scenario with no meet', async () => {
    await lab.lab.reset('prewired');
    const { state, types } = await run('prewired-standby');
    expect(state.error).toBeUndefined();
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(types).not.toContain('NodeMet');
    await expectGroupBHealthy(lab);
    expect(await lab.missingCanaries(state.id, lab.target.groups.B)).toEqual([]);
  });

  it.runIf(!prewired)('refuses the prewired standby scenario at preflight, saying why, and touches nothing', async () => {
    const { state, types } = await run('prewired-standby');
    await expectDrillEnded(drills.store, state, 'failed');
    expect(state.error).toContain('server-supported: prewired-standby cannot run on valkey');
    expect(state.error).toContain('moves the spares to the standbys’ masters');
    expect(types).toEqual(expect.arrayContaining(['ServersIdentified', 'DrillRefused']));
    expect(types).not.toContain('NodeKilled');
  });

  it('copies every key into a separate cluster in the backup-restore scenario', async () => {
    await lab.lab.reset('separate');
    const { state, types } = await run('backup-restore');
    expect(state.error).toBeUndefined();
    await expectDrillEnded(drills.store, state, 'succeeded');
    expect(types).toEqual(expect.arrayContaining(['DataCopied', 'NodeKilled', 'HealthGatePassed']));
    await expectGroupBHealthy(lab);
    expect(await lab.missingCanaries(state.id, lab.target.groups.B)).toEqual([]);
  });

  it('finishes a drill whose service was SIGKILLed at the step boundary after the kill, killing nothing twice', async () => {
    await lab.lab.reset();
    const directory = mkdtempSync(join(tmpdir(), `redis-drill-${server}-`));
    const database = join(directory, 'drills.sqlite');
    const env = {
      DATABASE_PATH: database,
      LAB_NAME: lab.settings.name,
      LAB_BASE_PORT: String(lab.settings.basePort),
      WORKER_LEASE_MS: '5000',
    };
    try {
      // The kill is on record and the takeover has started: the masters are dead and nothing serves their slots.
      const doomed = await startService({ ...env, DRILL_CRASH_AT: 'takeover:started' });
      const { id } = (await (await post(doomed.base, '/drills', { scenario: 'group-failover' })).json()) as { id: string };
      await waitFor(
        async () =>
          doomed.process.signalCode === 'SIGKILL' ? satisfied(undefined) : pending(`service still running (${doomed.process.exitCode})`),
        { description: 'the service to die once the takeover has started', timeoutMs: 60_000, intervalMs: 20 },
      );
      const restarted = await startService(env);
      try {
        const drill = await drillFinished(restarted.base, id);
        expect(drill.error).toBeUndefined();
        await expectDrillEndedOverApi(restarted.base, drill, 'succeeded');
        // The API names the server drilled, from the event recorded before the crash.
        expect(drill.servers).toEqual([
          { server: name, version: expect.stringMatching(version), nodes: targetNodes(lab.target).map((node) => node.name) },
        ]);
      } finally {
        await restarted.stop();
      }
      const rows = streamEvents(database, id);
      const types = rows.map((row) => row.type);
      const record = rows.map((row) => `${row.type} ${row.data}`).join('\n');
      expect(types.filter((type) => type === 'NodeKilled')).toHaveLength(6);
      expect(types.filter((type) => type === 'ServersIdentified')).toHaveLength(1);
      expect(
        types.filter((type) => type === 'DrillResumed'),
        record,
      ).toHaveLength(1);
      expect(
        rows.filter((row) => row.type === 'StepResumed').map((row) => (JSON.parse(row.data) as { step: string }).step),
        record,
      ).toEqual(['takeover']);
      await expectGroupBHealthy(lab);
      await expectAuditChainIntact(database);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
