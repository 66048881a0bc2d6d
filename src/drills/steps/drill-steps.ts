import { STEP_NAMES, type StepName } from '../scenarios.js';
import { copy } from './copy.step.js';
import { failback } from './failback.step.js';
import { forget } from './forget.step.js';
import { kill } from './kill.step.js';
import { meet } from './meet.step.js';
import { prepare } from './prepare.step.js';
import { repair } from './repair.step.js';
import { replicate } from './replicate.step.js';
import type { StepRegistry } from './step-context.js';
import type { StepDefinition } from './step-definition.js';
import { takeover } from './takeover.step.js';
import { verify } from './verify.step.js';

/** Every step, by the name its events use; each scenario's steps pick from these. */
export const STEP_DEFINITIONS: { readonly [Name in StepName]: StepDefinition<Name> } = {
  prepare,
  copy,
  kill,
  takeover,
  forget,
  meet,
  replicate,
  verify,
  failback,
  repair,
};

/** What the runner carries out: each step's `run`, by name. */
export const DRILL_STEPS = Object.fromEntries(STEP_NAMES.map((name) => [name, STEP_DEFINITIONS[name].run])) as StepRegistry;
