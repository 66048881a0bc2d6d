import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { EventStore } from '../events/event-store.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { TargetRegistry } from '../targets/target-registry.js';
import type { DrillTrigger, ScenarioName } from './drill-events.js';
import { DrillStream } from './drill-stream.js';

/** The actor of requests until the API authenticates its callers. */
export const ANONYMOUS_ACTOR = 'api';

export interface DrillRequest {
  readonly scenario: ScenarioName;
  readonly target?: string;
  readonly trigger: DrillTrigger;
}

/** Accepts drill requests: records them and puts them on the queue. */
@Injectable()
export class DrillService {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(TargetRegistry) private readonly targets: TargetRegistry,
    @Inject(DrillQueue) private readonly queue: DrillQueue,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Records the request and queues the drill. An unknown target is refused before anything is written. */
  async request(request: DrillRequest): Promise<{ id: string }> {
    const target = this.targets.get(request.target ?? this.targets.defaultTarget);
    const id = randomUUID();
    await DrillStream.create(this.store, this.clock, id, ANONYMOUS_ACTOR, {
      type: 'DrillRequested',
      data: { scenario: request.scenario, target: target.name, trigger: request.trigger },
    });
    await this.queue.enqueue(id);
    return { id };
  }
}
