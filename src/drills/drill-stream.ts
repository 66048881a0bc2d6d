import type { Clock } from '../common/clock.js';
import { StreamConflictError, type EventStore } from '../events/event-store.js';
import { DRILL_STREAM_KIND, type DrillEvent, type RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';

/** Events that others than the drill's worker may append: requests to the drill, not its progress. */
const CONTROL_EVENTS: ReadonlySet<string> = new Set(['AbortRequested']);

export class DrillTakenOverError extends Error {
  constructor(
    readonly drillId: string,
    readonly foreignEvent: string,
  ) {
    super(`drill ${drillId}: another writer appended ${foreignEvent}; this worker stops`);
    this.name = 'DrillTakenOverError';
  }
}

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
    const recorded = await store.append<DrillEvent>(drillId, 0, [requested], {
      occurredAt: new Date(clock.now()),
      actor,
      streamKind: DRILL_STREAM_KIND,
    });
    return new DrillStream(store, clock, foldDrill(recorded)!);
  }

  get state(): DrillState {
    return this.current;
  }

  /**
   * Appends on behalf of the drill's requester. When someone else appended a control event (an
   * abort request) since the last look, it is folded in and the append goes through after it;
   * any other foreign event means another worker runs the drill, and `DrillTakenOverError` stops
   * this one.
   */
  append(...events: DrillEvent[]): Promise<void> {
    const appended = this.tail.then(async () => {
      for (;;) {
        try {
          const recorded: RecordedDrillEvent[] = await this.store.append(this.current.id, this.current.version, events, {
            occurredAt: new Date(this.clock.now()),
            actor: this.current.actor,
          });
          this.current = recorded.reduce(evolve, this.current);
          return;
        } catch (error) {
          if (!(error instanceof StreamConflictError)) {
            throw error;
          }
          await this.catchUp();
        }
      }
    });
    this.tail = appended.catch(() => undefined);
    return appended;
  }

  /** Folds in whatever others appended since the last look; see `append` for what is accepted. */
  refresh(): Promise<void> {
    const refreshed = this.tail.then(() => this.catchUp());
    this.tail = refreshed.catch(() => undefined);
    return refreshed;
  }

  private async catchUp(): Promise<void> {
    const newer = await this.store.readPage<DrillEvent>(this.current.id, this.current.version, 1000);
    const foreign = newer.find((event) => !CONTROL_EVENTS.has(event.type));
    if (foreign) {
      throw new DrillTakenOverError(this.current.id, foreign.type);
    }
    this.current = newer.reduce(evolve, this.current);
  }
}
