import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { EventStore, StreamConflictError } from '../events/event-store.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { TargetLocks } from '../queue/target-locks.js';
import { HaltSwitch } from '../safety/halt-switch.js';
import { TargetRegistry } from '../targets/target-registry.js';
import { DrillFinishedError, TargetBusyError } from './drill-errors.js';
import type { DrillEvent, DrillOptions, DrillTrigger } from './drill-events.js';
import type { ScenarioName } from './scenarios.js';
import { evolve, foldDrill, isFinished, type DrillState } from './drill-state.js';
import { DrillNotFoundError, DrillStream } from './drill-stream.js';
import { Docker } from '../docker/docker-engine.js';
import { DockerNodeControl } from '../nodes/docker-node-control.js';
import { containerChecks, PreflightFailedError } from './preflight.js';
import { addLogFields } from '../common/log-context.js';
import { errorMessage } from '../common/app-error.js';
import { DrillSummaryReader } from './drill-summary.reader.js';
import { holderInLog } from './unfinished-drills.js';
import { DatabaseConnection } from '../database/database-connection.js';

export interface DrillRequest {
  readonly scenario: ScenarioName;
  readonly target?: string;
  readonly trigger: DrillTrigger;
  /** Who asked: a token's name. */
  readonly actor: string;
  /** Queue behind a drill that holds the target instead of being refused. */
  readonly waitForTarget?: boolean;
  readonly options?: DrillOptions;
  /** A repair: the drill whose half-done failback it finishes. */
  readonly finishFailbackOf?: string;
}

const ABORT_ATTEMPTS = 5;

/** Accepts drill requests and abort requests. */
@Injectable()
export class DrillService {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(DrillQueue) private readonly queue: DrillQueue,
    @Inject(TargetLocks) private readonly locks: TargetLocks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HaltSwitch) private readonly halt: HaltSwitch,
    @Inject(Docker) private readonly docker: Docker,
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(DatabaseConnection) private readonly database: DatabaseConnection,
  ) {}

  /**
   * Refuses it (503) while the audit database is unavailable. Checks that the container engine answers and that every container of the target is there
   * with its label (422 otherwise), then records the request and queues the drill. The target is reserved for it first, so that a
   * second request for the same target, on any service instance, is refused with the first
   * drill's id; unless it asks to wait, in which case it is queued behind.
   */
  async request(request: DrillRequest): Promise<{ id: string }> {
    const target = this.targets.get(request.target ?? this.targets.defaultTarget);
    // With no audit log to record it in, a drill is refused before anything else is asked.
    this.database.assertOpen();
    await this.halt.assertNotHalted();
    // The checks that cost no cluster round trip answer the caller now; the rest run before the kill.
    const failedChecks = await containerChecks(target, new DockerNodeControl(this.docker, target));
    if (failedChecks.length > 0) {
      throw new PreflightFailedError(failedChecks);
    }
    const id = randomUUID();
    addLogFields({ drillId: id });
    if (!request.waitForTarget) {
      // The log first: whatever the queue's Redis remembers, an unfinished drill holds its target.
      const holder = holderInLog(await this.summaries.unfinished(target.name), target.name);
      if (holder) {
        throw new TargetBusyError(target.name, holder.id);
      }
      const reservation = await this.locks.reserve(target.name, id);
      if (!reservation.reserved) {
        throw new TargetBusyError(target.name, reservation.holder.drillId);
      }
    }
    let recorded: DrillStream | undefined;
    try {
      recorded = await DrillStream.create(this.store, this.clock, id, request.actor, {
        type: 'DrillRequested',
        data: {
          scenario: request.scenario,
          target: target.name,
          trigger: request.trigger,
          ...(request.options ? { options: request.options } : {}),
          ...(request.finishFailbackOf ? { finishFailbackOf: request.finishFailbackOf } : {}),
        },
      });
      await this.queue.enqueue(id, request.waitForTarget);
    } catch (error) {
      // The caller is told the request failed: the drill must not run later, when the reconciler
      // finds it unfinished with no job. It ends here, on record, having touched nothing.
      await recorded
        ?.append({ type: 'DrillFailed', data: { step: null, reason: `the queue did not take the drill: ${errorMessage(error)}` } })
        .catch(() => undefined);
      await this.locks.cancelReservation(target.name, id).catch(() => undefined);
      throw error;
    }
    return { id };
  }

  /**
   * Asks a drill to stop. The request goes into the drill's own stream; its worker acts on it at
   * the next step boundary. Asking twice is harmless; asking after the end is refused.
   */
  async abort(id: string, reason: string, actor: string): Promise<DrillState> {
    for (let attempt = 1; ; attempt++) {
      const state = foldDrill(await this.store.read<DrillEvent>(id));
      if (!state) {
        throw new DrillNotFoundError(id);
      }
      if (isFinished(state)) {
        throw new DrillFinishedError(id, state.status);
      }
      if (state.abortRequested) {
        return state;
      }
      try {
        const [recorded] = await this.store.append<DrillEvent>(id, state.version, [{ type: 'AbortRequested', data: { reason } }], {
          occurredAt: new Date(this.clock.now()),
          actor,
        });
        return evolve(state, recorded!);
      } catch (error) {
        // The worker appended in between: look again.
        if (!(error instanceof StreamConflictError) || attempt === ABORT_ATTEMPTS) {
          throw error;
        }
      }
    }
  }
}
