import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillEvent, RecordedDrillEvent } from '../src/drills/drill-events.js';
import type { StepName } from '../src/drills/scenarios.js';
import type { DrillState } from '../src/drills/drill-state.js';
import type { DrillSettings, DrillStep } from '../src/drills/steps/step-context.js';
import { DRILL_STEPS } from '../src/drills/steps/drill-steps.js';
import { failoverLayout } from '../src/targets/drill-target.js';
import { expectAuditChainIntact, expectGroupBHealthy } from './support/after-failover.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';
import { ClusterAdmin, DEFAULT_CLUSTER_ADMIN_SETTINGS, type ClaimCorrection } from '../src/cluster/cluster-admin.js';

const LAB = await freeLab('faults-lab');
/** Mounting a small file system for the audit log, to fill it for real, needs root. */
const CAN_MOUNT = process.getuid?.() === 0;

const ofType = <T extends DrillEvent['type']>(events: readonly RecordedDrillEvent[], type: T) =>
  events.filter((event): event is Extract<RecordedDrillEvent, { type: T }> => event.type === type);

describe('faults in the target during a drill, on the Docker lab', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;
  const layout = () => failoverLayout(lab.target, 'A');
  const container = (name: string) => lab.docker.getContainer(`${LAB.name}-${name}`);

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  /** Runs a group-failover drill with `fault` done around one step, the real step otherwise, in one run. */
  async function drillWith(step: StepName, fault: (run: DrillStep) => DrillStep, settings: Partial<DrillSettings> = {}) {
    const id = await drills.requestDrill();
    const runner = drills.runnerWith({ steps: { [step]: fault(DRILL_STEPS[step]) }, settings });
    const { state } = await runner.run(id);
    return { state, events: await drills.store.read<DrillEvent>(id) };
  }

  const expectEnded = (state: DrillState, status: DrillState['status']) => expectDrillEnded(drills.store, state, status);

  it('refuses to kill when a standby died between prepare and the kill, naming it, with nothing killed', async () => {
    const { state, events } = await drillWith('kill', (kill) => async (context) => {
      await container('b2').kill();
      return kill(context);
    });
    await expectEnded(state, 'failed');
    expect(state.error).toMatch(/^refused: .*last look before the kill: standby b2 .* is down/);
    expect(ofType(events, 'NodeKilled')).toEqual([]);
    expect(events.at(-1)!.type).toBe('DrillRefused');
    // The serving group was never touched.
    const serving = [...layout().servingMasters, ...layout().servingReplicas];
    const running = await Promise.all(serving.map(async (node) => (await container(node.name).inspect()).State.Running));
    expect(running.every(Boolean)).toBe(true);
  });

  it('says at once which slots are lost when a standby dies after the kill, promotes the others, and fails naming them', async () => {
    await lab.lab.reset();
    const { state, events } = await drillWith('kill', (kill) => async (context) => {
      const killed = await kill(context);
      await container('b2').kill();
      return killed;
    });
    await expectEnded(state, 'failed');
    const topology = ofType(events, 'TopologyRecorded')[0]!.data.nodes;
    const b2Master = topology.find((node) => node.name === 'b2')!.replicates!;
    const lostSlots = topology.find((node) => node.name === b2Master)!.slots!;
    expect(ofType(events, 'SlotsLost').map((event) => event.data)).toEqual([{ node: 'b2', slots: lostSlots }]);
    expect(state.error).toContain(`slots lost: ${lostSlots} (standby b2 is down)`);
    // What could be finished was: the two live standbys serve their masters' slots.
    expect(
      ofType(events, 'ReplicaPromoted')
        .map((event) => event.data.node)
        .sort(),
    ).toEqual(['b1', 'b3']);
    expect(await Promise.all(['b1', 'b3'].map((name) => lab.admin.role(layout().standbys.find((node) => node.name === name)!)))).toEqual([
      'master',
      'master',
    ]);
    // Nothing is left half applied: the takeover failed, no later step started.
    expect(state.steps.filter((step) => step.status === 'running')).toEqual([]);
    expect(state.steps.find((step) => step.name === 'takeover')!.status).toBe('failed');
  });

  it('names a node that hangs during meet: the watchdog fires, and the drill ends failed rather than running', async () => {
    await lab.lab.reset();
    let paused = false;
    try {
      const { state } = await drillWith(
        'meet',
        (meet) => async (context) => {
          if (!paused) {
            paused = true;
            await container('b5').pause();
          }
          return meet(context);
        },
        { stepTimeoutMs: 10_000 },
      );
      await expectEnded(state, 'failed');
      expect(state.error).toMatch(/^meet failed: .*not answering: b5$/);
    } finally {
      if (paused) {
        await container('b5').unpause();
      }
    }
  });

  it.skipIf(!CAN_MOUNT)('parks when the audit log’s disk is full at a step boundary, and resumes once there is space', async () => {
    await lab.lab.reset();
    const mount = mkdtempSync(join(tmpdir(), 'faults-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
    const filler = join(mount, 'filler');
    let filled = false;
    const own = await drillRunnerFor(lab, {
      directory: mount,
      steps: {
        forget: async (context) => {
          const events = await DRILL_STEPS.forget(context);
          if (!filled) {
            filled = true;
            fillDisk(filler);
          }
          return events;
        },
      },
    });
    try {
      const id = await own.requestDrill();
      const parked = await own.runner.run(id);
      expect(parked).toMatchObject({
        outcome: 'parked',
        logDown: expect.stringContaining("the audit log's disk is full"),
        state: { status: 'running' },
      });

      rmSync(filler);
      const { state } = await own.runner.run(id);
      await expectDrillEnded(own.store, state, 'succeeded');
      const events = await own.store.read<DrillEvent>(id);
      // forget's success did not go out; it ran again, found its work done, and recorded it once.
      expect(ofType(events, 'StepResumed').map((event) => event.data.step)).toEqual(['forget']);
      expect(ofType(events, 'NodeForgotten')).toHaveLength(6);
      expect(ofType(events, 'NodeKilled')).toHaveLength(6);
      await expectGroupBHealthy(lab);
      await expectAuditChainIntact(own.databaseFile);
    } finally {
      await own.close();
      execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('corrects a node that still gives a replaced master its slots after the takeovers, and answers what it did', async () => {
    await lab.lab.reset();
    const { servingMasters, servingReplicas, standbys } = layout();
    const ids = new Map(
      await Promise.all([...servingMasters, ...standbys].map(async (node) => [node.name, await lab.admin.myId(node)] as const)),
    );
    const takers = await Promise.all(
      standbys.map(async (node) => {
        const self = (await lab.admin.entries(node)).find((entry) => entry.myself)!;
        return { node, id: ids.get(node.name)!, masterId: self.masterId! };
      }),
    );
    await Promise.all([...servingMasters, ...servingReplicas].map((node) => container(node.name).kill()));
    await lab.admin.takeoverAll(takers);
    // Every view must have heard every takeover before B3's slots are read from B1's: read sooner,
    // B1 may not give B3 any slot yet, and the test would make nothing stale.
    await lab.admin.waitServing(standbys);
    // A view that has not taken B3's takeover in: B1 still gives B3's slots to the dead master they came from.
    const [view, , taker] = takers as [(typeof takers)[0], unknown, (typeof takers)[0]];
    const stolen = (await lab.admin.entries(view.node)).find((entry) => entry.id === taker.id)!.slots;
    expect(stolen).not.toEqual([]);
    const impatient = new ClusterAdmin(lab.connections, { ...DEFAULT_CLUSTER_ADMIN_SETTINGS, claimsHeardWithinMs: 0 });
    let corrections: ClaimCorrection[] = [];
    // B3's own gossip heals B1 within a second or two: make B1 stale again until the first look catches it stale.
    for (let attempt = 0; attempt < 20 && corrections.length === 0; attempt++) {
      const client = await lab.connections.client(view.node);
      const pipeline = client.pipeline();
      for (const range of stolen) {
        for (let slot = range.start; slot <= range.end; slot++) {
          pipeline.call('CLUSTER', 'SETSLOT', slot, 'NODE', taker.masterId);
        }
      }
      await pipeline.exec();
      corrections = await impatient.waitTakeoversHeard(takers.map(({ node, id, masterId }) => ({ node, id, replacedId: masterId })));
    }
    expect(corrections).toEqual([
      expect.objectContaining({
        view: view.node.name,
        taker: taker.node.name,
        takerId: taker.id,
        staleOwnerId: taker.masterId,
        slots: stolen,
        bumped: expect.stringMatching(/^(BUMPED|STILL) \d+$/),
        corrected: true,
      }),
    ]);
    // Every taker serves every slot, and B1 gives B3's slots to B3.
    await lab.admin.waitServing(standbys);
    expect((await lab.admin.entries(view.node)).find((entry) => entry.id === taker.id)!.slots).toEqual(stolen);
  });
});

/** Writes zeros to `file` until the file system answers ENOSPC: the disk is full. */
function fillDisk(file: string): void {
  const descriptor = openSync(file, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(descriptor, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
            break;
          }
          throw error;
        }
      }
    }
  } finally {
    closeSync(descriptor);
  }
}
