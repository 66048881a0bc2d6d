import { describe, it } from 'vitest';
import { decide, DrillNotRunningError, type BetweenSteps, type DrillSignal, type StepFailed } from './drill-decider.js';
import type { DrillEvent, DrillOptions } from './drill-events.js';
import { SCENARIO_STEPS, type ScenarioName, type StepName } from './scenarios.js';
import { foldDrill } from './drill-state.js';
import { DeciderSpecification } from './testing/decider-spec.js';
import type { FailedCheck } from './preflight.js';

const drillId = '4f8a5c1e-0000-4000-8000-000000000003';

/** Folds events as the stream would, written or staged alike: the decider sees no difference. */
const given = DeciderSpecification.for({
  fold: (events: readonly DrillEvent[]) =>
    foldDrill(
      events.map((event, index) => ({
        ...event,
        streamId: drillId,
        position: index + 1,
        sequence: index + 1,
        occurredAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, index)).toISOString(),
        schemaVersion: 1,
        actor: 'ops-alice',
        hash: '',
      })),
    )!,
  decide: (state, signal: DrillSignal) => decide(state, signal),
});

const requested = (scenario: ScenarioName = 'group-failover', options: DrillOptions = {}): DrillEvent => ({
  type: 'DrillRequested',
  data: { scenario, target: 'lab', trigger: 'manual', options },
});
const started = (scenario: ScenarioName = 'group-failover'): DrillEvent => ({
  type: 'DrillStarted',
  data: { plan: [...SCENARIO_STEPS[scenario]] },
});
const stepStarted = (step: StepName): DrillEvent => ({ type: 'StepStarted', data: { step } });
const stepSucceeded = (step: StepName): DrillEvent => ({ type: 'StepSucceeded', data: { step, durationMs: 10 } });
/** Each step started and succeeded, in order. */
const ran = (...steps: StepName[]): DrillEvent[] => steps.flatMap((step) => [stepStarted(step), stepSucceeded(step)]);
const abortRequested = (reason = 'maintenance window closed'): DrillEvent => ({ type: 'AbortRequested', data: { reason } });
const recoveryStarted = (steps: StepName[], reason = 'maintenance window closed'): DrillEvent => ({
  type: 'RecoveryStarted',
  data: { steps, reason },
});

const betweenSteps = (overrides: Partial<BetweenSteps> = {}): BetweenSteps => ({
  kind: 'between-steps',
  probe: {},
  parkRequested: false,
  ...overrides,
});
const timedOut = (step: StepName): StepFailed => ({
  kind: 'step-failed',
  step,
  error: `${step} was still running after 200 ms (the step watchdog)`,
  timedOut: true,
});

describe('decide', () => {
  describe('between steps', () => {
    it('runs the first step of a drill just started', () => {
      given(requested(), started()).when(betweenSteps()).then({ kind: 'run-step', step: 'prepare', resumed: false });
    });

    it('runs the step after the last that succeeded, in each scenario', () => {
      given(requested('group-failover'), started('group-failover'), ...ran('prepare', 'kill'))
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'takeover', resumed: false });
      given(requested('backup-restore'), started('backup-restore'), ...ran('prepare'))
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'copy', resumed: false });
      given(requested('prewired-standby'), started('prewired-standby'), ...ran('prepare', 'kill', 'takeover', 'forget'))
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'replicate', resumed: false });
      given(requested('failover-and-failback'), started('failover-and-failback'), ...ran(...SCENARIO_STEPS['group-failover']))
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'failback', resumed: false });
    });

    it('resumes a step a stopped worker left running', () => {
      given(requested(), started(), ...ran('prepare'), stepStarted('kill'), { type: 'DrillResumed', data: { worker: 'w2' } })
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'kill', resumed: true });
    });

    it('closes once every step of the plan succeeded', () => {
      given(requested('backup-restore'), started('backup-restore'), ...ran(...SCENARIO_STEPS['backup-restore']))
        .when(betweenSteps())
        .then({ kind: 'close' });
    });

    it('aborts with the target untouched when asked to before the kill', () => {
      given(requested(), started(), ...ran('prepare'), abortRequested())
        .when(betweenSteps())
        .then({ kind: 'abort-untouched', reason: 'maintenance window closed' });
    });

    it('after the kill, starts the recovery: the rest of the failover, without the step whose success is pending', () => {
      // The kill's success is staged, not written yet: folded in, it is a success like any other.
      given(requested(), started(), ...ran('prepare'), stepStarted('kill'), abortRequested(), stepSucceeded('kill'))
        .when(betweenSteps())
        .then({
          kind: 'start-recovery',
          steps: ['takeover', 'forget', 'meet', 'replicate', 'verify'],
          reason: 'maintenance window closed',
        });
    });

    it('runs a failback that had started again on the recovery path, and no failback that had not', () => {
      const failover = SCENARIO_STEPS['group-failover'];
      given(
        requested('failover-and-failback'),
        started('failover-and-failback'),
        ...ran(...failover),
        stepStarted('failback'),
        abortRequested(),
      )
        .when(betweenSteps())
        .then({ kind: 'start-recovery', steps: ['failback'], reason: 'maintenance window closed' });
      given(requested('failover-and-failback'), started('failover-and-failback'), ...ran('prepare', 'kill'), abortRequested())
        .when(betweenSteps())
        .then({
          kind: 'start-recovery',
          steps: ['takeover', 'forget', 'meet', 'replicate', 'verify'],
          reason: 'maintenance window closed',
        });
    });

    it('runs the recovery steps once the recovery started, even when asked to abort again', () => {
      given(
        requested(),
        started(),
        ...ran('prepare', 'kill'),
        abortRequested(),
        recoveryStarted(['takeover', 'forget']),
        abortRequested('again'),
      )
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'takeover', resumed: false });
    });

    it('records a stop condition when the clients were down longer than the budget', () => {
      given(requested('group-failover', { maxClientOutageMs: 500 }), started(), ...ran('prepare', 'kill'))
        .when(betweenSteps({ probe: { outageMs: 800.4, failedWrites: 0 } }))
        .then({
          kind: 'record-stop-condition',
          met: { condition: 'client-outage', step: null, detail: 'clients went 800 ms without a successful write; the budget is 500 ms' },
        });
    });

    it('records a stop condition when more client writes failed than the budget allows', () => {
      given(requested('group-failover', { maxFailedWrites: 20 }), started(), ...ran('prepare', 'kill'))
        .when(betweenSteps({ probe: { outageMs: 0, failedWrites: 21 } }))
        .then({
          kind: 'record-stop-condition',
          met: { condition: 'client-errors', step: null, detail: '21 client writes failed or got no answer; the budget is 20' },
        });
    });

    it('goes on while the clients stay within the budgets, or without a probe', () => {
      const options = { maxClientOutageMs: 500, maxFailedWrites: 20 };
      given(requested('group-failover', options), started(), ...ran('prepare'))
        .when(betweenSteps({ probe: { outageMs: 500, failedWrites: 20 } }))
        .then({ kind: 'run-step', step: 'kill', resumed: false });
      given(requested('group-failover', options), started(), ...ran('prepare'))
        .when(betweenSteps())
        .then({ kind: 'run-step', step: 'kill', resumed: false });
    });

    it('records no stop condition once the drill is stopping anyway', () => {
      given(requested('group-failover', { maxClientOutageMs: 500 }), started(), ...ran('prepare', 'kill'), abortRequested())
        .when(betweenSteps({ probe: { outageMs: 900 } }))
        .then({
          kind: 'start-recovery',
          steps: ['takeover', 'forget', 'meet', 'replicate', 'verify'],
          reason: 'maintenance window closed',
        });
    });

    it('parks before the next step when the worker is asked to stop', () => {
      given(requested(), started(), ...ran('prepare', 'kill', 'takeover'))
        .when(betweenSteps({ parkRequested: true }))
        .then({ kind: 'park' });
    });

    it('does not park an abort before the kill: the drill ends at once, untouched', () => {
      given(requested(), started(), ...ran('prepare'), abortRequested())
        .when(betweenSteps({ parkRequested: true }))
        .then({ kind: 'abort-untouched', reason: 'maintenance window closed' });
    });

    it('has nothing to decide for a drill not running', () => {
      given(requested()).when(betweenSteps()).thenThrows(DrillNotRunningError, 'is queued');
      given(requested(), started(), { type: 'DrillFailed', data: { step: null, reason: 'gone' } })
        .when(betweenSteps())
        .thenThrows(DrillNotRunningError, 'is failed');
    });
  });

  describe('when a step failed', () => {
    it('fails the drill, naming the step', () => {
      given(requested(), started(), ...ran('prepare', 'kill'), stepStarted('takeover'))
        .when({ kind: 'step-failed', step: 'takeover', error: 'b2 did not become master', timedOut: false })
        .then({ kind: 'fail', step: 'takeover', reason: 'takeover failed: b2 did not become master' });
    });

    it('refuses the drill when its preflight found checks failing', () => {
      const failedChecks = [{ check: 'target-free' as const, problem: 'busy' }];
      given(requested(), started(), stepStarted('prepare'))
        .when({ kind: 'step-failed', step: 'prepare', error: 'preflight failed', timedOut: false, failedChecks })
        .then({ kind: 'refuse', failedChecks });
    });

    it('fails a step that timed out before the kill: the target is untouched', () => {
      given(requested(), started(), stepStarted('prepare'))
        .when(timedOut('prepare'))
        .then({ kind: 'fail', step: 'prepare', reason: 'prepare failed: prepare was still running after 200 ms (the step watchdog)' });
    });

    it('stops on a failover step timed out past the kill, into the recovery path', () => {
      given(requested(), started(), ...ran('prepare', 'kill', 'takeover', 'forget'), stepStarted('meet'))
        .when(timedOut('meet'))
        .then({
          kind: 'stop-timed-out-step',
          met: { condition: 'step-timeout', step: 'meet', detail: 'meet was still running after 200 ms (the step watchdog)' },
        });
      given(
        requested('failover-and-failback'),
        started('failover-and-failback'),
        ...ran(...SCENARIO_STEPS['group-failover']),
        stepStarted('failback'),
      )
        .when(timedOut('failback'))
        .then({
          kind: 'stop-timed-out-step',
          met: { condition: 'step-timeout', step: 'failback', detail: 'failback was still running after 200 ms (the step watchdog)' },
        });
    });

    it('fails a step timed out again on the recovery path', () => {
      given(
        requested(),
        started(),
        ...ran('prepare', 'kill'),
        abortRequested(),
        recoveryStarted(['takeover', 'forget']),
        stepStarted('takeover'),
      )
        .when(timedOut('takeover'))
        .then({ kind: 'fail', step: 'takeover', reason: 'takeover failed: takeover was still running after 200 ms (the step watchdog)' });
    });
  });

  describe('when the target itself fails during the drill', () => {
    const lastLookFailed: FailedCheck[] = [
      { check: 'target-ready', problem: 'last look before the kill: standby b2 (127.0.0.1:7012) is down: connect ECONNREFUSED' },
    ];

    it('refuses the drill when the last look at the start of the kill finds a standby down: nothing was signalled', () => {
      given(requested(), started(), ...ran('prepare'), stepStarted('kill'))
        .when({ kind: 'step-failed', step: 'kill', error: 'preflight failed', timedOut: false, failedChecks: lastLookFailed })
        .then({ kind: 'refuse', failedChecks: lastLookFailed });
    });

    it('fails the drill naming the slots lost when a standby died after the kill, with no recovery to try', () => {
      const lostSlots = [{ node: 'b2', slots: '5461-10922' }];
      const expected = { kind: 'fail', step: 'takeover', reason: 'takeover failed: slots lost: 5461-10922 (standby b2 is down)' } as const;
      given(requested(), started(), ...ran('prepare', 'kill'), stepStarted('takeover'))
        .when({ kind: 'step-failed', step: 'takeover', error: 'slots lost', timedOut: false, lostSlots })
        .then(expected);
      // Even past its watchdog: running the step again would not bring the slots back.
      given(requested(), started(), ...ran('prepare', 'kill'), stepStarted('takeover'))
        .when({ ...timedOut('takeover'), lostSlots })
        .then(expected);
    });

    it('names the nodes that did not answer when the watchdog fired, on the recovery path and in the end', () => {
      given(requested(), started(), ...ran('prepare', 'kill', 'takeover', 'forget'), stepStarted('meet'))
        .when({ ...timedOut('meet'), silentNodes: ['b5'] })
        .then({
          kind: 'stop-timed-out-step',
          met: {
            condition: 'step-timeout',
            step: 'meet',
            detail: 'meet was still running after 200 ms (the step watchdog); not answering: b5',
          },
        });
      given(
        requested(),
        started(),
        ...ran('prepare', 'kill', 'takeover', 'forget'),
        abortRequested(),
        recoveryStarted(['meet', 'replicate', 'verify']),
        stepStarted('meet'),
      )
        .when({ ...timedOut('meet'), silentNodes: ['b5'] })
        .then({
          kind: 'fail',
          step: 'meet',
          reason: 'meet failed: meet was still running after 200 ms (the step watchdog); not answering: b5',
        });
    });
  });

  describe('once closed', () => {
    const closed: DrillSignal = { kind: 'closed' };

    it('succeeds when the plan ran to its end unasked', () => {
      given(requested(), started(), ...ran(...SCENARIO_STEPS['group-failover']))
        .when(closed)
        .then({ kind: 'finish', end: { outcome: 'succeeded' } });
    });

    it('ends aborted with the steps it recovered', () => {
      given(requested(), started(), ...ran('prepare', 'kill'), abortRequested(), recoveryStarted(['takeover']), ...ran('takeover'))
        .when(closed)
        .then({ kind: 'finish', end: { outcome: 'aborted', reason: 'maintenance window closed', recovered: ['takeover'] } });
    });

    it('ends aborted by a stop condition met after the last step', () => {
      const reason = 'stop condition: clients went 900 ms without a successful write; the budget is 500 ms';
      given(
        requested('group-failover', { maxClientOutageMs: 500 }),
        started(),
        ...ran(...SCENARIO_STEPS['group-failover']),
        { type: 'StopConditionMet', data: { condition: 'client-outage', step: null, detail: reason.slice('stop condition: '.length) } },
        abortRequested(reason),
      )
        .when(closed)
        .then({ kind: 'finish', end: { outcome: 'aborted', reason, recovered: [] } });
    });

    it('ends aborted, with nothing recovered, when asked to stop during the last step', () => {
      given(requested(), started(), ...ran(...SCENARIO_STEPS['group-failover']), abortRequested('the window closed during verify'))
        .when(closed)
        .then({ kind: 'finish', end: { outcome: 'aborted', reason: 'the window closed during verify', recovered: [] } });
    });
  });
});
