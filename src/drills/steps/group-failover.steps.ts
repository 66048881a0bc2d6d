import { forget } from './forget.step.js';
import { kill } from './kill.step.js';
import { meet } from './meet.step.js';
import { prepare } from './prepare.step.js';
import { replicate } from './replicate.step.js';
import type { StepRegistry } from './step-context.js';
import { takeover } from './takeover.step.js';
import { verify } from './verify.step.js';

/** The group-failover drill's steps, by the names its events use. */
export const GROUP_FAILOVER_STEPS: StepRegistry = { prepare, kill, takeover, forget, meet, replicate, verify };
