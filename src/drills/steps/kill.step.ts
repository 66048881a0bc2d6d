import type { DrillEvent } from '../drill-events.js';
import { recordedId, type DrillStep } from './step-context.js';

/**
 * SIGKILLs every node of the serving group at once. A SIGKILL cannot be caught or ignored, so the
 * step does not wait for the processes to finish dying: the takeover goes out straight after, and
 * `forget` confirms the deaths before it acts on them.
 */
export const kill: DrillStep = async (context) => {
  const victims = [...context.layout.servingMasters, ...context.layout.servingReplicas];
  const killed = await Promise.all(
    victims.map(async (node): Promise<DrillEvent> => {
      const { alreadyStopped, method } = await context.nodes.kill(node);
      return {
        type: 'NodeKilled',
        data: { node: node.name, container: node.containerName, nodeId: recordedId(context, node), alreadyStopped, method },
      };
    }),
  );
  await context.record(...killed);
};
