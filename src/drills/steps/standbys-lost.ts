import type { TargetNode } from '../../targets/drill-target.js';
import { AppError } from '../../common/app-error.js';
import type { LostSlots } from '../drill-decider.js';
import type { StepContext } from './step-context.js';

/**
 * A standby died after the serving group was killed: the slots of the master it was to replace
 * have no node left that holds them. No step brings them back, so the drill ends failed with
 * them named, for a repair (or a restore from backup) to take on.
 */
export class StandbysLostError extends AppError {
  readonly code = 'STANDBYS_LOST';

  constructor(readonly lost: readonly LostSlots[]) {
    super(`slots lost: ${lost.map(({ node, slots }) => `${slots} (standby ${node} is down)`).join('; ')}`);
  }
}

/** The slots each of these standbys was to take over: its master's, as `prepare` recorded them. */
export function slotsOf(context: StepContext, standbys: readonly TargetNode[]): LostSlots[] {
  return standbys.map((standby) => {
    const master = context.state.topology.find((node) => node.name === standby.name)?.replicates;
    const slots = context.state.topology.find((node) => node.name === master)?.slots ?? 'unknown slots';
    return { node: standby.name, slots };
  });
}
