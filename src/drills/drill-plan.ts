import type { DrillTarget, FailoverLayout } from '../targets/drill-target.js';
import type { DrillOptions } from './drill-events.js';
import { SCENARIO_STEPS, SCENARIO_STANDBY, type ScenarioName, type StepName } from './scenarios.js';
import { STEP_DEFINITIONS } from './steps/drill-steps.js';
import type { PlanContext, StepOperation } from './steps/step-definition.js';

/** One thing a drill would do, and the step that does it. */
export interface PlannedOperation extends StepOperation {
  readonly step: StepName;
}

export interface DrillPlan {
  readonly scenario: ScenarioName;
  readonly target: string;
  /** The group that serves now and is killed, and the one that takes over. */
  readonly from: FailoverLayout['from'];
  readonly to: FailoverLayout['to'];
  readonly steps: StepName[];
  readonly operations: PlannedOperation[];
}

/**
 * The ordered operations a drill of this scenario would carry out on this target, failing over
 * from the group that serves now, in the order the steps send them. Computing it touches
 * nothing; the steps themselves skip what a resumed run finds already done.
 */
export function planDrill(
  target: DrillTarget,
  layout: FailoverLayout,
  scenario: ScenarioName,
  options: DrillOptions,
  canaryKeys: number,
): DrillPlan {
  const context: PlanContext = { target, layout, standby: SCENARIO_STANDBY[scenario], options, canaryKeys };
  const steps = [...SCENARIO_STEPS[scenario]];
  const operations = steps.flatMap((step) => STEP_DEFINITIONS[step].plan(context).map((operation) => ({ step, ...operation })));
  return { scenario, target: target.name, from: layout.from, to: layout.to, steps, operations };
}
