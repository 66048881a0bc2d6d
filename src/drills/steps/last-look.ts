import { errorMessage } from '../../common/app-error.js';
import { settlesWithin } from '../../common/wait-for.js';
import { describeNode } from '../../cluster/node-snapshot.js';
import { acceptsConnections } from '../../cluster/port-probe.js';
import { PreflightFailedError } from '../preflight.js';
import { SCENARIO_STANDBY } from '../scenarios.js';
import type { StepContext } from './step-context.js';

/** How long a standby may take to answer the last look before it counts as not answering. */
const LAST_LOOK_TIMEOUT_MS = 2_000;

/**
 * The last look before the kill: `prepare` found the target ready, but a standby may have died
 * since. Each standby must answer and (unless it stands as a separate cluster, as in
 * backup-restore) still have its link to its master up; otherwise the kill would leave that
 * master's slots with no node to serve them, so the drill is refused with the standby named,
 * before any signal is sent.
 */
export async function lastLookBeforeKill(context: StepContext): Promise<void> {
  const { servingMasters, servingReplicas } = context.layout;
  const accepting = await Promise.all([...servingMasters, ...servingReplicas].map((node) => acceptsConnections(node)));
  if (!accepting.every(Boolean)) {
    // The kill was under way when a worker stopped: the standbys have lost their masters by now.
    return;
  }
  const separate = SCENARIO_STANDBY[context.state.scenario] === 'separate';
  const problems = await Promise.all(
    context.layout.standbys.map(async (standby) => {
      try {
        const looked = Promise.resolve().then(() => context.admin.replication(standby));
        if (!(await settlesWithin(looked, LAST_LOOK_TIMEOUT_MS))) {
          return `standby ${describeNode(standby)} gave no answer within ${LAST_LOOK_TIMEOUT_MS} ms`;
        }
        const { role, masterLinkUp } = await looked;
        if (separate) {
          // Backup-restore: the standbys are masters of a cluster of their own; answering is enough.
          return undefined;
        }
        if (role !== 'replica') {
          return `standby ${describeNode(standby)} is no longer a replica`;
        }
        return masterLinkUp ? undefined : `standby ${describeNode(standby)} has lost its link to its master`;
      } catch (error) {
        return `standby ${describeNode(standby)} is down: ${errorMessage(error)}`;
      }
    }),
  );
  const found = problems.filter((problem) => problem !== undefined);
  if (found.length > 0) {
    throw new PreflightFailedError([{ check: 'target-ready', problem: `last look before the kill: ${found.join('; ')}` }]);
  }
}
