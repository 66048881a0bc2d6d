import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioName, StepName } from '../src/drills/scenarios.js';
import { DRILL_STEPS } from '../src/drills/steps/drill-steps.js';
import type { StepContext, StepRegistry } from '../src/drills/steps/step-context.js';
import { servingGroup } from '../src/drills/steps/group-restore.js';
import { failoverLayout, targetNodes } from '../src/targets/drill-target.js';
import { expectAuditChainIntact, expectGroupBHealthy, streamEvents } from './support/after-failover.js';
import { drillEnded, expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { fetchAs, post, startService, type RunningService } from './support/service.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('repair-lab');

interface RepairAnswer {
  ready: boolean;
  findings: string[];
  serving?: 'A' | 'B';
  actions: { kind: string; description: string; nodes: string[] }[];
  blocked?: string;
  dryRun: boolean;
  drillId?: string;
  status?: string;
}

/** A step that stops, as a drill left half done by a fault would, with what came before it done. */
const leftUndone = (step: StepName) => async (): Promise<never> => {
  throw new Error(`${step} left undone for the test`);
};

/** The failback step, stopped right after it handed the first shard back. */
const failbackStoppedHalfWay = async (context: StepContext) => {
  const firstMaster = context.layout.servingMasters[0]!.name;
  const stopping: StepContext = Object.create(context, {
    checkpoint: {
      value: async (point: string) => {
        await context.checkpoint(point);
        if (point === `failback:handed-back-${firstMaster}`) {
          throw new Error('failback stopped half-way for the test');
        }
      },
    },
  }) as StepContext;
  return DRILL_STEPS.failback(stopping);
};

describe('repair, from each half-done state a failover or failback can leave', () => {
  let lab: TestLab;
  let directory: string;
  let service: RunningService | undefined;
  const databaseFile = () => join(directory, 'drills.sqlite');
  const env = () => ({ DATABASE_PATH: databaseFile(), LAB_NAME: LAB.name, LAB_BASE_PORT: String(LAB.basePort) });

  const repair = async (body: { dryRun?: boolean }, expectedStatus: number): Promise<RepairAnswer> => {
    const response = await post(service!.base, '/targets/lab/repair', body);
    const answer = (await response.json()) as RepairAnswer;
    expect(response.status, JSON.stringify(answer)).toBe(expectedStatus);
    return answer;
  };

  /**
   * Runs a drill that stops where `steps` make it stop, in this process: the drill ends failed and
   * the target half done. On a log of its own while the service runs, or, when the repair must
   * read the drill from the log, on the service's log while the service is down (its reconciler
   * would otherwise take up the drill this process is running).
   */
  async function leaveHalfDone(scenario: ScenarioName, steps: Partial<StepRegistry>, log: 'own' | 'service'): Promise<string> {
    if (log === 'service') {
      await service?.stop();
      service = undefined;
    }
    const drills = await drillRunnerFor(lab, {
      databaseFile: log === 'service' ? databaseFile() : join(directory, 'breaker.sqlite'),
      worker: 'repair-test-breaker',
      steps,
    });
    try {
      const state = await drills.runDrill(scenario);
      await expectDrillEnded(drills.store, state, 'failed');
      return state.id;
    } finally {
      await drills.close();
      service ??= await startService(env());
    }
  }

  /** The container states and every node's view of the cluster: what a dry run must leave as it found it. */
  async function lookAtTarget(): Promise<unknown> {
    const nodes = targetNodes(lab.target);
    const running = await Promise.all(
      nodes.map(async (node) => (await lab.docker.getContainer(node.containerName).inspect()).State.Running),
    );
    const views = await lab.admin.snapshots(nodes);
    return nodes.map((node, index) => {
      const view = views[index]!;
      return {
        node: node.name,
        running: running[index],
        members: view.reachable
          ? view.entries.map((entry) => `${entry.id} ${entry.address} ${entry.role} ${entry.masterId ?? '-'} ${entry.slots.length}`).sort()
          : [],
      };
    });
  }

  /**
   * The repair of whatever the target is left in: a dry run that changes nothing, then the repair
   * drill, which holds the target while it runs; then the target passes the health gate, a second
   * repair finds nothing to do, and every action is in the repair drill's stream.
   */
  async function repairAndCheck(expectedKinds: string[]): Promise<RepairAnswer> {
    const before = await lookAtTarget();
    const plan = await repair({ dryRun: true }, 200);
    expect(plan).toMatchObject({ ready: false, dryRun: true });
    expect(plan.blocked).toBeUndefined();
    expect(plan.findings.length).toBeGreaterThan(0);
    expect(plan.actions.map((action) => action.kind)).toEqual(expectedKinds);
    expect(await lookAtTarget()).toEqual(before);

    const queued = await repair({}, 202);
    expect(queued).toMatchObject({ status: 'queued', dryRun: false });
    expect(queued.actions.map((action) => action.kind)).toEqual(expectedKinds);
    const id = queued.drillId!;
    // The repair holds the target: another drill, or another repair, is refused naming it.
    const drill = await post(service!.base, '/drills', { scenario: 'group-failover' });
    expect(drill.status).toBe(409);
    expect(await drill.json()).toMatchObject({ runningDrillId: id });
    const again = await post(service!.base, '/targets/lab/repair', {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ runningDrillId: id });

    const repaired = await drillEnded(service!.base, id, 'succeeded', 120_000);
    expect(repaired).toMatchObject({ scenario: 'repair', steps: [{ name: 'repair', status: 'succeeded' }] });

    const nothingLeft = await repair({}, 200);
    expect(nothingLeft).toMatchObject({ ready: true, findings: [], actions: [] });
    expect(nothingLeft.drillId).toBeUndefined();
    const serving = servingGroup(lab.target, await lab.admin.snapshots(targetNodes(lab.target)));
    if (serving === 'B') {
      await expectGroupBHealthy(lab);
    }
    const layout = failoverLayout(lab.target, serving!);
    expect(
      await lab.admin.healthProblems([...layout.servingMasters, ...layout.servingReplicas, ...layout.standbys], {
        masters: 3,
        replicasPerMaster: 2,
        maxReplicaLagBytes: 64 * 1024,
      }),
    ).toEqual([]);

    const rows = streamEvents(databaseFile(), id);
    const of = (type: string) => rows.filter((row) => row.type === type).map((row) => JSON.parse(row.data) as Record<string, unknown>);
    expect(of('RepairPlanned')).toHaveLength(1);
    expect(of('RepairActionTaken').map((data) => data.kind)).toEqual(expectedKinds);
    expect(of('TargetRepaired')).toEqual([expect.objectContaining({ actions: expectedKinds.length })]);
    await expectAuditChainIntact(databaseFile());
    return plan;
  }

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    directory = mkdtempSync(join(tmpdir(), 'redis-drill-repair-'));
    service = await startService(env());
  });

  afterAll(async () => {
    await service?.stop();
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('on a ready target says so, and records no drill', async () => {
    const answer = await repair({}, 200);
    expect(answer).toMatchObject({ ready: true, findings: [], actions: [], serving: 'A', dryRun: false });
    expect(await repair({ dryRun: true }, 200)).toMatchObject({ ready: true, dryRun: true });
    // Looking and repairing both need the operator role.
    expect((await post(service!.base, '/targets/lab/repair', { dryRun: true }, 'viewer')).status).toBe(403);
    const history = (await (await fetchAs(`${service!.base}/drills?target=lab`, {}, 'viewer')).json()) as { items: unknown[] };
    expect(history.items).toEqual([]);
  });

  it('after the takeover, with the dead nodes not forgotten: forgets, meets, replicates and restores the stopped group', async () => {
    await leaveHalfDone('group-failover', { forget: leftUndone('forget') }, 'own');
    await repairAndCheck(['forget', 'meet', 'replicate', 'restore-standby-group']);
  });

  it('with the dead nodes forgotten but the spares not met: meets, replicates and restores the stopped group', async () => {
    await leaveHalfDone('group-failover', { meet: leftUndone('meet') }, 'own');
    await repairAndCheck(['meet', 'replicate', 'restore-standby-group']);
  });

  it('with the spares met but not replicating: replicates and restores the stopped group', async () => {
    await leaveHalfDone('group-failover', { replicate: leftUndone('replicate') }, 'own');
    await repairAndCheck(['replicate', 'restore-standby-group']);
  });

  it('after a failback stopped half-way: finishes the failback the log names', async () => {
    const id = await leaveHalfDone('failover-and-failback', { failback: failbackStoppedHalfWay }, 'service');
    const plan = await repairAndCheck(['finish-failback']);
    expect(plan.actions[0]!.description).toContain(id);
  });
});
