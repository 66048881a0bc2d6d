import type { DrillStep } from './step-context.js';

/** Joins the spares to the new masters; each spare meets every member directly. */
export const meet: DrillStep = async (context) => {
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
