import type { ClusterAdmin } from '../../cluster/cluster-admin.js';
import { formStandbyGroup } from '../../cluster/standby-group.js';
import { pending, satisfied, waitFor } from '../../common/wait-for.js';
import type { NodeControl } from '../../nodes/node-control.js';
import { failoverLayout, targetNodes, type DrillTarget, type TargetNode } from '../../targets/drill-target.js';
import type { DrillEvent } from '../drill-events.js';
import { planRepair, type RepairAction, type RepairLogFacts, type RepairObservation, type RepairPlan } from '../repair-plan.js';
import { failback } from './failback.step.js';
import { restartFresh } from './group-restore.js';
import { elapsedSince, type DrillStep, type StepContext } from './step-context.js';
import { nodeNames, type StepDefinition } from './step-definition.js';

/** One look at every node of the target, in the cluster and in the container engine. */
export async function observeTarget(
  admin: ClusterAdmin,
  nodes: NodeControl,
  target: DrillTarget,
  maxReplicaLagBytes: number,
): Promise<RepairObservation> {
  const all = targetNodes(target);
  const [snapshots, containers] = await Promise.all([
    admin.snapshots(all),
    Promise.all(all.map(async (node) => ({ node, state: await nodes.inspect(node) }))),
  ]);
  return { snapshots, containers, maxReplicaLagBytes };
}

/**
 * Looks at the target, plans the repair (`planRepair`) and carries the plan out, each action
 * on record as it ends; then waits for the readiness check to pass. Run again after a crash, it
 * looks again and does only what is still to do.
 */
const run: DrillStep = async (context) => {
  const started = context.clock.now();
  const facts: RepairLogFacts = context.state.finishFailbackOf ? { halfDoneFailback: context.state.finishFailbackOf } : {};
  const plan = await planNow(context, facts);
  await context.record({ type: 'RepairPlanned', data: recordOf(plan) });
  if (plan.ready) {
    return [{ type: 'TargetRepaired', data: { actions: 0, tookMs: elapsedSince(context.clock, started) } }];
  }
  if (plan.blocked) {
    throw new Error(`cannot repair: ${plan.blocked}; found: ${plan.findings.join('; ')}`);
  }
  for (const action of plan.actions) {
    const begun = context.clock.now();
    await context.checkpoint(`repair:before-${action.kind}`);
    const events = await carryOut(context, action);
    await context.record(...events, {
      type: 'RepairActionTaken',
      data: { kind: action.kind, description: action.description, nodes: action.nodes, tookMs: elapsedSince(context.clock, begun) },
    });
  }
  let findings: string[] = [];
  await waitFor(
    async () => {
      const after = await planNow(context, {});
      findings = after.findings;
      return after.ready ? satisfied(undefined) : pending(findings.join('; '));
    },
    {
      description: 'the target to pass the readiness check after the repair',
      timeoutMs: context.settings.readinessTimeoutMs,
      intervalMs: 100,
    },
  );
  return [{ type: 'TargetRepaired', data: { actions: plan.actions.length, tookMs: elapsedSince(context.clock, started) } }];
};

async function planNow(context: StepContext, facts: RepairLogFacts): Promise<RepairPlan> {
  const observation = await observeTarget(context.admin, context.nodes, context.target, context.settings.maxReplicaLagBytes);
  return planRepair(context.target, observation, facts);
}

/** The plan as the log keeps it. */
export function recordOf(plan: RepairPlan): Extract<DrillEvent, { type: 'RepairPlanned' }>['data'] {
  return {
    ready: plan.ready,
    findings: plan.findings,
    actions: plan.actions.map(({ kind, description, nodes }) => ({ kind, description, nodes })),
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
  };
}

/** Each action by the code a drill runs for the same purpose. */
async function carryOut(context: StepContext, action: RepairAction): Promise<readonly DrillEvent[]> {
  const { admin, target } = context;
  const node = (name: string): TargetNode => targetNodes(target).find((candidate) => candidate.name === name)!;
  const nodesNamed = (names: readonly string[]): TargetNode[] => names.map(node);
  switch (action.kind) {
    case 'finish-failback':
      return finishFailback(context, action.drillId);
    case 'forget':
      await admin.forget(
        action.forgotten.map((entry) => entry.nodeId),
        nodesNamed(action.nodes),
      );
      return action.forgotten.map((entry) => ({
        type: 'NodeForgotten' as const,
        data: { node: entry.name, nodeId: entry.nodeId, forgottenOn: action.nodes },
      }));
    case 'restart-fresh':
      await restartFresh(context, nodesNamed(action.nodes));
      return [];
    case 'meet':
      await admin.meet(nodesNamed(action.nodes), nodesNamed(action.members));
      return [];
    case 'replicate': {
      const pairs = action.nodes.map((name, index) => ({ replica: node(name), master: node(action.masters[index]!) }));
      await admin.replicate(
        pairs,
        pairs.map(({ master }) => master),
      );
      return [];
    }
    case 'restore-standby-group': {
      const group = nodesNamed(action.nodes);
      const layout = failoverLayout(target, action.group === 'A' ? 'B' : 'A');
      await context.record({ type: 'StandbyRestoreStarted', data: { group: action.group, nodes: action.nodes } });
      const begun = context.clock.now();
      await restartFresh(context, group);
      await formStandbyGroup(admin, layout, 'attached');
      return [
        { type: 'StandbyGroupRestored', data: { group: action.group, nodes: action.nodes, tookMs: elapsedSince(context.clock, begun) } },
      ];
    }
  }
}

/**
 * The failback step of the drill that left it half done, run with that drill's record (the ids
 * it recorded, its canaries) and this repair's log: it does only what is left.
 */
async function finishFailback(context: StepContext, drillId: string): Promise<readonly DrillEvent[]> {
  const original = await context.drillState(drillId);
  if (!original.direction) {
    throw new Error(`drill ${drillId} recorded no topology: its failback cannot be finished`);
  }
  const repair = context;
  const failbackContext: StepContext = {
    drillId,
    // Settings this repair holds off are its own to put back, whatever the drill had.
    get state() {
      return { ...original, migrationPaused: repair.state.migrationPaused };
    },
    target: repair.target,
    layout: failoverLayout(repair.target, original.direction.from),
    admin: repair.admin,
    keyspace: repair.keyspace,
    nodes: repair.nodes,
    clock: repair.clock,
    settings: repair.settings,
    record: (...events) => repair.record(...events),
    checkpoint: (point) => repair.checkpoint(point),
    drillState: (id) => repair.drillState(id),
    lookAhead: repair.lookAhead,
  };
  return failback.run(failbackContext);
}

export const repair: StepDefinition<'repair'> = {
  name: 'repair',
  run,
  plan: ({ target }) => [
    {
      action: 'read every node and container, and plan the repair (POST /api/targets/{name}/repair with dryRun lists it)',
      command: 'CLUSTER NODES, CLUSTER INFO, INFO replication',
      nodes: nodeNames(targetNodes(target)),
    },
  ],
};
