import { errorMessage, isTransient } from '../../common/app-error.js';
import type { DrillEvent } from '../drill-events.js';
import { elapsedSince, recordedId, type DrillStep } from './step-context.js';
import { containerNames, nodeNames, type StepDefinition } from './step-definition.js';
import { lastLookBeforeKill } from './last-look.js';
import { seeStandbys } from './standby-look.js';
import { SCENARIO_STEPS } from '../scenarios.js';

/**
 * SIGKILLs every node of the serving group at once. A SIGKILL cannot be caught or ignored, so the
 * step does not wait for the processes to finish dying: the takeover goes out straight after, and
 * `forget` confirms the deaths before it acts on them. Run again after a crash, it finds the nodes
 * already stopped and records them as such, so that nothing is killed twice. A last look first
 * checks that every standby still answers and replicates (see `lastLookBeforeKill`); a planned
 * drill then holds writes and lets the standbys catch up. Each container is checked (a round trip
 * to its engine) while the last look runs, so that between the last look and the takeover there
 * are only the signals: on a busy 2-core machine those checks took 0.5–0.8 s for 6 to 24 nodes.
 */
const run: DrillStep = async (context) => {
  const { layout } = context;
  const victims = [...layout.servingMasters, ...layout.servingReplicas];
  // Settled, never rejected: a refusal found here is reported below, as a failed kill.
  const readying = Promise.allSettled(victims.map((node) => context.nodes.readyKill(node)));
  await lastLookBeforeKill(context);
  const paused = context.state.options.planned ? await pauseAndCatchUp(context) : [];
  const ready = await readying;
  // The fencing check right before the one action that cannot be undone.
  await context.checkpoint('kill:before-signals');
  const signalledAt = new Date(context.clock.now()).toISOString();
  const signals = Promise.allSettled(
    ready.map((readied) => (readied.status === 'fulfilled' ? readied.value.fire() : Promise.reject(readied.reason as Error))),
  );
  if (SCENARIO_STEPS[context.state.scenario].includes('takeover')) {
    // The engine answers a SIGKILL once the container has stopped, tens to hundreds of ms later.
    context.lookAhead.start(seeStandbys(layout.standbys, context.admin));
  }
  const outcomes = await signals;
  await context.checkpoint('kill:after-signals');
  const killed: DrillEvent[] = [];
  const refused: string[] = [];
  outcomes.forEach((outcome, index) => {
    const node = victims[index]!;
    if (outcome.status === 'fulfilled') {
      killed.push({
        type: 'NodeKilled',
        data: { node: node.name, container: node.containerName, nodeId: recordedId(context, node), ...outcome.value, signalledAt },
      });
    } else {
      refused.push(`${node.name}: ${errorMessage(outcome.reason)}`);
    }
  });
  const transient = outcomes.find((outcome) => outcome.status === 'rejected' && isTransient(outcome.reason));
  if (transient) {
    // The engine out of reach, say: the step runs again once it answers, and kills only what still runs.
    throw (transient as PromiseRejectedResult).reason;
  }
  if (refused.length > 0) {
    const done = killed.map((event) => (event.data as { node: string }).node);
    throw new Error(
      `could not kill ${refused.length} of ${victims.length} nodes (${refused.join('; ')})` +
        (done.length > 0 ? `; killed: ${done.join(', ')}` : ''),
    );
  }
  return [...paused, ...killed];
};

export const kill: StepDefinition<'kill'> = {
  name: 'kill',
  run,
  plan: ({ layout, options }) => [
    {
      action: 'last look: every standby answers with its link to its master up, or the drill is refused untouched',
      command: 'INFO replication',
      nodes: nodeNames(layout.standbys),
    },
    ...(options.planned
      ? [
          {
            action: 'hold client writes on the serving masters',
            command: 'CLIENT PAUSE <step timeout> WRITE',
            nodes: nodeNames(layout.servingMasters),
          },
          {
            action: 'wait until each standby has caught up with its master',
            command: 'INFO replication',
            nodes: nodeNames([...layout.servingMasters, ...layout.standbys]),
          },
        ]
      : []),
    {
      action: 'SIGKILL every container of the serving group at once',
      containers: containerNames([...layout.servingMasters, ...layout.servingReplicas]),
    },
  ],
};

/**
 * A planned failover: client writes held on the serving masters, then the standbys caught up
 * with them, so that every acknowledged write is on a standby when the masters die. Held writes
 * are never acknowledged by the dying masters; the clients retry them on the new ones.
 */
async function pauseAndCatchUp(context: Parameters<DrillStep>[0]): Promise<DrillEvent[]> {
  const { layout, admin, settings } = context;
  const started = context.clock.now();
  await Promise.all(layout.servingMasters.map((master) => admin.pauseWrites(master, settings.stepTimeoutMs)));
  const pairs = layout.standbys.map((standby) => {
    const masterName = context.state.topology.find((node) => node.name === standby.name)?.replicates;
    return { replica: standby, master: layout.servingMasters.find((master) => master.name === masterName)! };
  });
  await admin.waitCaughtUp(pairs);
  return [
    {
      type: 'WritesPaused',
      data: { masters: layout.servingMasters.map((node) => node.name), tookMs: elapsedSince(context.clock, started) },
    },
  ];
}
