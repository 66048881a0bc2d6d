import { acceptsConnections } from '../../cluster/port-probe.js';
import { pending, satisfied, waitFor } from '../../common/wait-for.js';
import { recordedId, type DrillStep } from './step-context.js';
import { containerNames, idOf, nodeNames, type StepDefinition } from './step-definition.js';

const DEATH_TIMEOUT_MS = 10_000;

/**
 * Forgets the killed nodes on every new master, exactly the ids recorded before the kill: right
 * after a kill the dead nodes do not look failed yet, so "forget what is failing" would miss them.
 * A node that still answered would teach the others its id again, so their deaths come first.
 */
const run: DrillStep = async (context) => {
  const { layout, admin } = context;
  const dead = [...layout.servingMasters, ...layout.servingReplicas];
  // A port that refuses is a dead node. On a bridge network the dead container's address vanishes
  // instead, and a connection times out: there the engine saying the container stopped settles it.
  const stillAlive = async (node: (typeof dead)[number]) => (await acceptsConnections(node)) && (await context.nodes.inspect(node)).running;
  await waitFor(
    async () => {
      const alive = await Promise.all(dead.map(async (node) => ((await stillAlive(node)) ? node.name : undefined)));
      const survivors = alive.filter((name) => name !== undefined);
      return survivors.length === 0 ? satisfied(undefined) : pending(`still accepting connections: ${survivors.join(', ')}`);
    },
    { description: 'the killed nodes to stop accepting connections', timeoutMs: DEATH_TIMEOUT_MS, intervalMs: 5 },
  );
  // A node still owning slots must not be forgotten: make sure the new masters own them all.
  await admin.waitServing(layout.standbys);
  const ids = dead.map((node) => recordedId(context, node));
  await context.checkpoint('forget:before-forget');
  await admin.forget(ids, layout.standbys);
  return dead.map((node, index) => ({
    type: 'NodeForgotten' as const,
    data: { node: node.name, nodeId: ids[index]!, forgottenOn: layout.standbys.map((standby) => standby.name) },
  }));
};

export const forget: StepDefinition<'forget'> = {
  name: 'forget',
  run,
  plan: ({ layout }) => {
    const dead = [...layout.servingMasters, ...layout.servingReplicas];
    return [
      { action: 'wait until the killed nodes refuse connections, or their containers have stopped', containers: containerNames(dead) },
      ...dead.map((node) => ({
        action: `forget ${node.name}`,
        command: `CLUSTER FORGET ${idOf(node)}`,
        nodes: nodeNames(layout.standbys),
      })),
    ];
  },
};
