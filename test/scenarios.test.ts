import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/common/clock.js';
import type { ScenarioName } from '../src/drills/scenarios.js';
import type { DrillState } from '../src/drills/drill-state.js';
import { DrillStream } from '../src/drills/drill-stream.js';
import { REPLICA_OF_REPLICA_REFUSAL } from '../src/drills/readiness.js';
import { failoverLayout } from '../src/targets/drill-target.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

describe("the seed's other scenarios", () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    lab = await startTestLab(await freeLab('rdtest-scenarios'), { form: false });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  async function run(scenario: ScenarioName): Promise<{ state: DrillState; types: string[] }> {
    const id = randomUUID();
    await DrillStream.create(drills.store, systemClock, id, 'test', {
      type: 'DrillRequested',
      data: { scenario, target: 'lab', trigger: 'manual' },
    });
    const { state } = await drills.runner.run(id);
    return { state, types: (await drills.store.read(id)).map((event) => event.type) };
  }

  const layout = () => failoverLayout(lab.target, 'A');
  const healthyB = async () =>
    lab.admin.healthProblems([...layout().standbys, ...layout().spares], {
      masters: 3,
      replicasPerMaster: 1,
      maxReplicaLagBytes: 64 * 1024,
    });
  const canariesOnB = async (drillId: string) => (await lab.missingCanaries(drillId, [...layout().standbys, ...layout().spares])).length;

  describe('prewired standby: B4–B6 replicate B1–B3 before B1–B3 attach to A', () => {
    it('is refused by Redis in the other order, with the message the readiness check quotes', async () => {
      await lab.lab.reset('attached');
      const { standbys, spares } = layout();
      await lab.admin.meet([spares[0]!], [standbys[0]!]);
      await expect(lab.connections.command(spares[0]!, 'CLUSTER', 'REPLICATE', await lab.admin.myId(standbys[0]!))).rejects.toThrow(
        REPLICA_OF_REPLICA_REFUSAL,
      );
      const { state } = await run('prewired-standby');
      expect(state.error).toContain('does not replicate a standby');
      expect(state.error).toContain(REPLICA_OF_REPLICA_REFUSAL);
    });

    it('needs no meet: the takeover alone leaves a full B cluster', async () => {
      await lab.lab.reset('prewired');
      const { state, types } = await run('prewired-standby');
      expect(state.error).toBeUndefined();
      await expectDrillEnded(drills.store, state, 'succeeded');
      expect(state.steps.map((step) => step.name)).toEqual(['prepare', 'kill', 'takeover', 'forget', 'replicate', 'verify']);
      expect(types).not.toContain('NodeMet');
      expect(state.timings.killToRedundantMs).toBeGreaterThan(0);
      expect(await healthyB()).toEqual([]);
      expect(await canariesOnB(state.id)).toBe(0);
    });
  });

  describe('backup and restore between two separate clusters', () => {
    it('copies every key across, kills A, and leaves B serving them', async () => {
      await lab.lab.reset('separate');
      const { state, types } = await run('backup-restore');
      expect(state.error).toBeUndefined();
      await expectDrillEnded(drills.store, state, 'succeeded');
      expect(types).toEqual(expect.arrayContaining(['DataCopied', 'NodeKilled', 'HealthGatePassed']));
      const copied = (await drills.store.read(state.id)).find((event) => event.type === 'DataCopied')!.data as Record<string, number>;
      expect(copied.keys).toBeGreaterThanOrEqual(16384);
      expect(copied.bytes).toBeGreaterThan(0);
      expect(copied.keysPerSecond).toBeGreaterThan(0);
      expect(copied.bytesPerSecond).toBeGreaterThan(0);
      expect(await healthyB()).toEqual([]);
      expect(await canariesOnB(state.id)).toBe(0);
    });

    it('refuses to start when the standby group is attached to the serving cluster', async () => {
      await lab.lab.reset('attached');
      const { state } = await run('backup-restore');
      await expectDrillEnded(drills.store, state, 'failed');
      expect(state.error).toContain('the standby group must be a cluster of its own');
    });
  });
});
