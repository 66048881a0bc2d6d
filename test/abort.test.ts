import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pending, satisfied, waitFor } from '../src/common/wait-for.js';
import { readinessProblems } from '../src/drills/readiness.js';
import { DRILL_STEPS } from '../src/drills/steps/drill-steps.js';
import type { DrillStep } from '../src/drills/steps/step-context.js';
import type { DrillEvent, RecordedDrillEvent } from '../src/drills/drill-events.js';
import { GROUP_FAILOVER_STEPS, type StepName } from '../src/drills/scenarios.js';
import type { DrillEventsPageDto } from '../src/drills/drill-history.dto.js';
import type { DrillDto } from '../src/drills/drill.dto.js';
import { failoverLayout, targetNodes, type GroupName } from '../src/targets/drill-target.js';
import { expectDrillEnded } from './support/drill-outcome.js';
import { drillRunnerFor } from './support/drill-runner.js';
import { drillFinished, fetchAs, getDrill, post, startService, type RunningService } from './support/service.js';
import { freeLab } from './support/free-ports.js';
import { startTestLab, type TestLab } from './support/test-lab.js';

const LAB = await freeLab('rdtest-abort');
const HEALTHY = { masters: 3, replicasPerMaster: 1, maxReplicaLagBytes: 64 * 1024 };

const ofType = <T extends DrillEvent['type']>(events: readonly RecordedDrillEvent[], type: T) =>
  events.filter((event): event is Extract<RecordedDrillEvent, { type: T }> => event.type === type);

/**
 * On the default queue backend only: an abort is an `AbortRequested` event in the drill's stream,
 * which the runner acts on at its next step boundary. The cases at each boundary run the runner
 * in this process with no queue at all, and the one over HTTP uses the queue only to start the
 * drill, which `test/postgres-queue.test.ts` proves on PostgreSQL.
 */
describe('aborting a drill on the Docker lab', () => {
  let lab: TestLab;
  let drills: Awaited<ReturnType<typeof drillRunnerFor>>;

  beforeAll(async () => {
    lab = await startTestLab(LAB, { form: true });
    drills = await drillRunnerFor(lab);
  });

  afterAll(async () => {
    await drills?.close();
    await lab?.close();
  });

  /** The six nodes that serve after a failover from `from`. */
  const newServingGroup = (from: GroupName) => {
    const layout = failoverLayout(lab.target, from);
    return [...layout.standbys, ...layout.spares];
  };

  /** Runs a drill whose abort is asked for, as the API asks, the moment `step` has done its work. */
  async function drillAbortedAfter(step: StepName) {
    const id = await drills.requestDrill();
    const abortAfterwards: DrillStep = async (context) => {
      const events = await DRILL_STEPS[step](context);
      const stream = await drills.store.read(id);
      await drills.store.append(id, stream.length, [{ type: 'AbortRequested', data: { reason: `stop after ${step}` } }], {
        occurredAt: new Date(),
        actor: 'ops-bob',
      });
      return events;
    };
    const runner = drills.runnerWith({ steps: { [step]: abortAfterwards } });
    const { state } = await runner.run(id);
    const events = await drills.store.read<DrillEvent>(id);
    return { id, state, events, types: events.map((event) => event.type) };
  }

  it('before the kill, stops and leaves the target as it was', async () => {
    const { id, state, events, types } = await drillAbortedAfter('prepare');
    expect(state).toMatchObject({ status: 'aborted', error: 'aborted: stop after prepare' });
    expect(state.abortRequested).toMatchObject({ reason: 'stop after prepare', actor: 'ops-bob' });
    expect(state.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(state.recovery).toBeUndefined();
    expect(types).not.toContain('RecoveryStarted');
    expect(ofType(events, 'StepStarted').map((event) => event.data.step)).toEqual(['prepare']);
    expect(events.at(-1)).toMatchObject({ type: 'DrillAborted', data: { reason: 'stop after prepare', recovered: [] } });
    expect(types).not.toContain('NodeKilled');
    for (const node of targetNodes(lab.target)) {
      expect((await lab.docker.getContainer(node.containerName).inspect()).State.Running).toBe(true);
    }
    const layout = failoverLayout(lab.target, 'A');
    expect(readinessProblems(layout, await lab.admin.snapshots(targetNodes(lab.target)), 64 * 1024)).toEqual([]);
    expect(await lab.missingCanaries(id, [...layout.servingMasters, ...layout.servingReplicas])).toEqual([]);
  });

  // An abort asked for during a step is honoured before the next one: at every boundary after the kill.
  it.each<StepName>(['kill', 'takeover', 'forget', 'meet', 'replicate'])(
    'after %s, finishes the failover so that B ends healthy with every canary, killing nothing twice',
    async (step) => {
      await lab.lab.reset();
      const { id, state, events, types } = await drillAbortedAfter(step);
      const reason = `stop after ${step}`;
      const rest = GROUP_FAILOVER_STEPS.slice(GROUP_FAILOVER_STEPS.indexOf(step) + 1);

      await expectDrillEnded(drills.store, state, 'aborted');
      expect(state.error).toBe(`aborted: ${reason}`);
      expect(state.abortRequested).toMatchObject({ reason, actor: 'ops-bob' });
      expect(state.recovery).toEqual(rest);
      expect(state.steps.every((candidate) => candidate.status === 'succeeded')).toBe(true);

      // Asked during `step`; `step` finished, then the recovery began before any later step started.
      const first = (predicate: (event: RecordedDrillEvent) => boolean) => events.findIndex(predicate);
      const recoveryAt = first((event) => event.type === 'RecoveryStarted');
      expect(ofType(events, 'RecoveryStarted').map((event) => event.data)).toEqual([{ steps: rest, reason }]);
      expect(first((event) => event.type === 'AbortRequested')).toBeGreaterThan(
        first((event) => event.type === 'StepStarted' && event.data.step === step),
      );
      expect(first((event) => event.type === 'StepSucceeded' && event.data.step === step)).toBeLessThan(recoveryAt);
      const startedBefore = ofType(events.slice(0, recoveryAt), 'StepStarted').map((event) => event.data.step);
      expect(startedBefore).toEqual(GROUP_FAILOVER_STEPS.slice(0, GROUP_FAILOVER_STEPS.indexOf(step) + 1));
      // The recovery ran exactly the rest of the plan, once each, ending on the health gate.
      const recoveryEvents = events.slice(recoveryAt);
      expect(ofType(recoveryEvents, 'StepStarted').map((event) => event.data.step)).toEqual(rest);
      expect(ofType(recoveryEvents, 'StepSucceeded').map((event) => event.data.step)).toEqual(rest);
      expect(types).not.toContain('StepResumed');
      expect(types).not.toContain('StepFailed');
      expect(types.slice(recoveryAt)).toContain('HealthGatePassed');
      expect(events.at(-1)).toMatchObject({ type: 'DrillAborted', data: { reason, recovered: rest } });

      // The kill ran once: each of A's six nodes signalled once, none found stopped and signalled again.
      const killed = ofType(events, 'NodeKilled');
      expect(killed.map((event) => event.data.node).sort()).toEqual(lab.target.groups.A.map((node) => node.name).sort());
      expect(killed.every((event) => !event.data.alreadyStopped && event.data.method !== 'none')).toBe(true);
      expect(state.killed).toHaveLength(6);

      const group = newServingGroup('A');
      expect(await lab.admin.healthProblems(group, HEALTHY)).toEqual([]);
      expect(await lab.missingCanaries(id, group)).toEqual([]);
    },
  );

  describe('over HTTP, against the built service', () => {
    let service: RunningService;
    let directory: string;

    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'redis-drill-abort-'));
      service = await startService({
        DATABASE_PATH: join(directory, 'drills.sqlite'),
        LAB_NAME: LAB.name,
        LAB_BASE_PORT: String(LAB.basePort),
      });
    });

    afterAll(async () => {
      await service?.stop();
      if (directory) {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    const eventsOf = async (id: string) =>
      ((await (await fetchAs(`${service.base}/drills/${id}/events?limit=1000`, {}, 'viewer')).json()) as DrillEventsPageDto).items;

    /**
     * Starts a drill, asks an operator to abort it as soon as its kill is under way, and waits for
     * its end. `tooLate` when the drill was past its last step boundary before the abort landed:
     * finished (409) or already verifying, where nothing is left to stop.
     */
    async function abortOnceKilled(reason: string) {
      const accepted = await post(service.base, '/drills', { scenario: 'group-failover' }, 'operator');
      expect(accepted.status).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      await waitFor(
        async () => {
          const drill = await getDrill(service.base, id);
          const kill = drill.steps.find((step) => step.name === 'kill')?.status;
          return kill === 'running' || kill === 'succeeded' || drill.finishedAt
            ? satisfied(drill)
            : pending(`drill ${drill.status}, kill ${kill}`);
        },
        { description: `drill ${id} to reach its kill`, timeoutMs: 30_000, intervalMs: 5 },
      );
      const answer = await post(service.base, `/drills/${id}/abort`, { reason }, 'operator');
      const drill: DrillDto = await drillFinished(service.base, id, 30_000);
      const events = await eventsOf(id);
      const sequenceOf = (type: string, step?: string) =>
        events.find((event) => event.type === type && (step === undefined || event.data.step === step))?.sequence ?? Infinity;
      // Too late: the drill had finished, or the abort came during verify, with nothing left to recover.
      const tooLate =
        answer.status === 409 || (answer.status === 202 && sequenceOf('AbortRequested') > sequenceOf('StepStarted', 'verify'));
      return { id, answer, drill, events, tooLate };
    }

    it('an operator aborts a drill after its kill: 202, the failover is finished, the drill ends aborted with a healthy target', async () => {
      const reason = `abort test ${randomUUID()}`;
      let attempt = await abortOnceKilled(reason);
      if (attempt.tooLate) {
        // The drill ran faster than the poll: once more, with a new drill.
        attempt = await abortOnceKilled(reason);
      }
      const { id, answer, drill, events } = attempt;
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ id, reason });
      expect(drill.status).toBe('aborted');
      expect(drill.error).toContain(reason);
      expect(drill.steps.every((step) => step.status === 'succeeded')).toBe(true);

      expect(events.filter((event) => event.type === 'AbortRequested')).toEqual([
        expect.objectContaining({ actor: 'operator-token', data: { reason } }),
      ]);
      const recovery = events.filter((event) => event.type === 'RecoveryStarted');
      expect(recovery).toHaveLength(1);
      const recovered = recovery[0]!.data.steps as StepName[];
      expect(recovered.length).toBeGreaterThan(0);
      expect(recovered).toEqual(GROUP_FAILOVER_STEPS.slice(GROUP_FAILOVER_STEPS.length - recovered.length));
      expect(events.at(-1)).toMatchObject({ type: 'DrillAborted', data: { reason, recovered } });
      const from = events.find((event) => event.type === 'TopologyRecorded')!.data.from as GroupName;
      const killed = events.filter((event) => event.type === 'NodeKilled');
      expect(killed.map((event) => event.data.node).sort()).toEqual(lab.target.groups[from].map((node) => node.name).sort());
      expect(killed.map((event) => event.data.alreadyStopped)).toEqual(Array(6).fill(false));

      const group = newServingGroup(from);
      expect(await lab.admin.healthProblems(group, HEALTHY)).toEqual([]);
      expect(await lab.missingCanaries(id, group)).toEqual([]);
    });
  });
});
