import { pending, satisfied, waitFor } from '../../common/wait-for.js';
import { canaries } from '../canaries.js';
import type { DrillStep } from './step-context.js';
import { containerNames, nodeNames, type StepDefinition } from './step-definition.js';

const STOPPED_TIMEOUT_MS = 15_000;

/**
 * The end state: the container engine reports every killed container stopped, every canary key
 * is readable with this drill's value, and the health gate is green on the new cluster.
 */
const run: DrillStep = async (context) => {
  const { layout, admin } = context;
  const killed = [...layout.servingMasters, ...layout.servingReplicas];
  await waitFor(
    async () => {
      const states = await Promise.all(killed.map(async (node) => ({ node, state: await context.nodes.inspect(node) })));
      const running = states.filter(({ state }) => state.running).map(({ node }) => node.containerName);
      return running.length === 0 ? satisfied(undefined) : pending(`the engine still reports running: ${running.join(', ')}`);
    },
    { description: 'the killed containers to be reported stopped', timeoutMs: STOPPED_TIMEOUT_MS, intervalMs: 50 },
  );

  const members = [...layout.standbys, ...layout.spares];
  const expected = canaries(context.drillId, context.settings.canaryKeys);
  const found = await context.keyspace.read(
    members,
    expected.map((canary) => canary.key),
  );
  const wrong = expected.filter((canary) => found.get(canary.key) !== canary.value);
  if (wrong.length > 0) {
    const first = wrong[0]!;
    throw new Error(
      `${wrong.length} of ${expected.length} canary keys are missing or changed; ` +
        `first: ${first.key} is ${JSON.stringify(found.get(first.key))}, expected ${JSON.stringify(first.value)}`,
    );
  }
  await context.checkpoint('verify:after-canaries');
  await admin.waitHealthy(members, {
    masters: layout.standbys.length,
    replicasPerMaster: layout.replicasPerMaster,
    maxReplicaLagBytes: context.settings.maxReplicaLagBytes,
  });
  return [
    { type: 'KilledContainersStopped', data: { containers: killed.map((node) => node.containerName) } },
    { type: 'CanariesVerified', data: { keys: expected.length, missing: 0 } },
    { type: 'HealthGatePassed', data: { nodes: members.map((node) => node.name) } },
  ];
};

export const verify: StepDefinition<'verify'> = {
  name: 'verify',
  run,
  plan: ({ layout, canaryKeys }) => {
    const members = nodeNames([...layout.standbys, ...layout.spares]);
    return [
      {
        action: 'check that the engine reports every killed container stopped',
        containers: containerNames([...layout.servingMasters, ...layout.servingReplicas]),
      },
      { action: `read back the ${canaryKeys} canary keys`, command: 'GET drill:<id>:canary:<n>', nodes: members },
      {
        action: `health gate: all slots served, ${layout.replicasPerMaster} replica(s) per master in sync`,
        command: 'CLUSTER INFO, CLUSTER NODES, INFO replication',
        nodes: members,
      },
    ];
  },
};
