import type { DrillStep } from './step-context.js';
import { nodeNames, type StepDefinition } from './step-definition.js';

/** Joins the spares to the new masters; each spare meets every member directly. */
const run: DrillStep = async (context) => {
  const { layout, admin } = context;
  const everyone = await admin.sendMeets(layout.spares, layout.standbys);
  await context.checkpoint('meet:after-meets');
  await admin.waitAllKnowEachOther(everyone);
  const ids = await Promise.all(layout.spares.map((node) => admin.myId(node)));
  return layout.spares.map((node, index) => ({
    type: 'NodeMet' as const,
    data: {
      node: node.name,
      nodeId: ids[index]!,
      met: [...layout.standbys, ...layout.spares].filter((other) => other !== node).map((other) => other.name),
    },
  }));
};

export const meet: StepDefinition<'meet'> = {
  name: 'meet',
  run,
  plan: ({ layout }) => [
    ...layout.spares.map((node) => ({
      action: `introduce ${node.name} to the new masters`,
      command: 'CLUSTER MEET 127.0.0.1 <port>',
      nodes: [node.name],
    })),
    {
      action: 'wait until every node knows every other',
      command: 'CLUSTER NODES',
      nodes: nodeNames([...layout.standbys, ...layout.spares]),
    },
  ],
};
