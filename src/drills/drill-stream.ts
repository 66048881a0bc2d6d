import type { Clock } from '../common/clock.js';
import type { EventStore } from '../events/event-store.js';
import type { DrillEvent, RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';

export class DrillNotFoundError extends Error {
  constructor(readonly drillId: string) {
    super(`no drill with id ${drillId}`);
    this.name = 'DrillNotFoundError';
  }
}

/**
 * One drill's stream held open by its single writer: appends go out in call order, each naming
 * the sequence the previous one produced, on behalf of whoever requested the drill, and the
 * folded state follows every append.
 */
export class DrillStream {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private current: DrillState,
  ) {}

  static async open(store: EventStore, clock: Clock, drillId: string): Promise<DrillStream> {
    const state = foldDrill(await store.read<DrillEvent>(drillId));
    if (!state) {
      throw new DrillNotFoundError(drillId);
    }
    return new DrillStream(store, clock, state);
  }

  /** Starts a new stream with its first event, `DrillRequested`, recorded as the actor's. */
  static async create(
    store: EventStore,
    clock: Clock,
    drillId: string,
    actor: string,
    requested: Extract<DrillEvent, { type: 'DrillRequested' }>,
  ): Promise<DrillStream> {
    const recorded = await store.append<DrillEvent>(drillId, 0, [requested], { occurredAt: new Date(clock.now()), actor });
    return new DrillStream(store, clock, foldDrill(recorded)!);
  }

  get state(): DrillState {
    return this.current;
  }

  append(...events: DrillEvent[]): Promise<void> {
    const appended = this.tail.then(async () => {
      const recorded: RecordedDrillEvent[] = await this.store.append(this.current.id, this.current.version, events, {
        occurredAt: new Date(this.clock.now()),
        actor: this.current.actor,
      });
      this.current = recorded.reduce(evolve, this.current);
    });
    this.tail = appended.catch(() => undefined);
    return appended;
  }
}
