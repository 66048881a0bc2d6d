import { errorMessage } from '../../common/wait-for.js';
import type { DrillEvent } from '../drill-events.js';
import { recordedId, type DrillStep } from './step-context.js';

/**
 * SIGKILLs every node of the serving group at once. A SIGKILL cannot be caught or ignored, so the
 * step does not wait for the processes to finish dying: the takeover goes out straight after, and
 * `forget` confirms the deaths before it acts on them. Run again after a crash, it finds the nodes
 * already stopped and records them as such, so that nothing is killed twice.
 */
export const kill: DrillStep = async (context) => {
  const victims = [...context.layout.servingMasters, ...context.layout.servingReplicas];
  // The fencing check right before the one action that cannot be undone.
  await context.checkpoint('kill:before-signals');
  const outcomes = await Promise.allSettled(victims.map((node) => context.nodes.kill(node)));
  await context.checkpoint('kill:after-signals');
  const killed: DrillEvent[] = [];
  const refused: string[] = [];
  outcomes.forEach((outcome, index) => {
    const node = victims[index]!;
    if (outcome.status === 'fulfilled') {
      killed.push({
        type: 'NodeKilled',
        data: { node: node.name, container: node.containerName, nodeId: recordedId(context, node), ...outcome.value },
      });
    } else {
      refused.push(`${node.name}: ${errorMessage(outcome.reason)}`);
    }
  });
  if (refused.length > 0) {
    const done = killed.map((event) => (event.data as { node: string }).node);
    throw new Error(
      `could not kill ${refused.length} of ${victims.length} nodes (${refused.join('; ')})` +
        (done.length > 0 ? `; killed: ${done.join(', ')}` : ''),
    );
  }
  return killed;
};
