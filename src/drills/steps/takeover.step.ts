import type { Promotion } from '../../cluster/cluster-admin.js';
import { formatSlots } from '../../cluster/cluster-nodes.parser.js';
import type { DrillEvent } from '../drill-events.js';
import { msSinceKill } from '../drill-state.js';
import { recordedId, type DrillStep } from './step-context.js';
import { slotsOf, StandbysLostError } from './standbys-lost.js';
import { seeStandbys } from './standby-look.js';
import { nodeNames, type StepDefinition } from './step-definition.js';

/**
 * Promotes the standbys with `CLUSTER FAILOVER TAKEOVER` right after the kill, without waiting
 * for the cluster to mark the dead masters as failed, then waits until they serve every slot.
 * Nothing is written to the log until they do, so that the measured time is the cluster's own.
 * A standby found dead (it died after the kill) is left out: the others are promoted, the slots
 * it was to take over are recorded lost at once (`SlotsLost`), and the step fails naming them.
 */
const run: DrillStep = async (context) => {
  const { layout, admin } = context;
  const { down, looks } = await (context.lookAhead.take() ?? seeStandbys(layout.standbys, admin));
  const live = layout.standbys.flatMap((node, index) => (down.includes(node) ? [] : [{ node, look: looks[index]! }]));
  const takers = live.map(({ node }) => {
    const master = context.state.topology.find((recorded) => recorded.name === node.name)?.replicates;
    const masterNode = layout.servingMasters.find((candidate) => candidate.name === master);
    if (!masterNode) {
      throw new Error(`no master was recorded for standby ${node.name} in prepare`);
    }
    return { node, id: recordedId(context, node), masterId: recordedId(context, masterNode) };
  });
  const promotions = await admin.takeoverAll(
    takers,
    live.map(({ look }) => {
      if (look.status === 'rejected') {
        throw look.reason;
      }
      return look.value;
    }),
  );
  const replaced = takers.map((taker) => taker.masterId);
  await context.checkpoint('takeover:after-promotions');
  if (down.length > 0) {
    // The live standbys serve their slots now; the dead ones' are lost, and said so at once.
    const lost = slotsOf(context, down);
    await context.record(
      ...promotions.map((promotion) => promotedEvent(promotion)),
      ...lost.map(({ node, slots }) => ({ type: 'SlotsLost' as const, data: { node, slots } })),
    );
    throw new StandbysLostError(lost);
  }
  const corrections = await admin.waitTakeoversHeard(
    promotions.map((promotion, index) => ({ node: promotion.node, id: promotion.nodeId, replacedId: replaced[index]! })),
  );
  const servingAt = context.clock.now();
  return [
    ...promotions.map((promotion) => promotedEvent(promotion)),
    ...corrections.map((correction): DrillEvent => ({
      type: 'StaleClaimCorrected',
      data: {
        node: correction.view,
        taker: correction.taker,
        staleOwnerId: correction.staleOwnerId,
        staleOwnerEpoch: correction.staleOwnerEpoch,
        takerEpoch: correction.takerEpoch ?? null,
        slots: formatSlots(correction.slots),
        bumped: correction.bumped,
        corrected: correction.corrected,
        ...(correction.error ? { error: correction.error } : {}),
      },
    })),
    {
      type: 'ClusterServing',
      data: {
        masters: layout.standbys.map((node) => node.name),
        killToServingMs: msSinceKill(context.state, servingAt),
      },
    },
  ];
};

export const takeover: StepDefinition<'takeover'> = {
  name: 'takeover',
  run,
  plan: ({ layout }) => [
    ...layout.servingMasters.map((master, index) => {
      const standby = layout.standbys[index]!;
      return {
        action: `promote ${standby.name} in place of ${master.name} without waiting for a failure report`,
        command: 'CLUSTER FAILOVER TAKEOVER',
        nodes: [standby.name],
      };
    }),
    { action: 'wait until the new masters serve all 16384 slots', command: 'CLUSTER INFO', nodes: nodeNames(layout.standbys) },
  ],
};

const round = (ms: number): number => Math.round(ms * 100) / 100;

const promotedEvent = (promotion: Promotion): DrillEvent => ({
  type: 'ReplicaPromoted',
  data: { node: promotion.node.name, nodeId: promotion.nodeId, attempts: promotion.attempts, tookMs: round(promotion.tookMs) },
});
