import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { Clock } from '../common/clock.js';
import { StreamConflictError, type EventStore } from '../events/event-store.js';
import type { NewEvent } from '../events/recorded-event.js';
import { DRILL_STREAM_KIND, type DrillEvent, type RecordedDrillEvent } from './drill-events.js';
import { evolve, foldDrill, type DrillState } from './drill-state.js';

/** Events that others than the drill's worker may append: requests to the drill, not its progress. */
const CONTROL_EVENTS: ReadonlySet<string> = new Set(['AbortRequested']);

export class DrillTakenOverError extends AppError {
  readonly code = 'DRILL_TAKEN_OVER';

  constructor(
    readonly drillId: string,
    readonly foreignEvent: string,
  ) {
    super(`drill ${drillId}: another writer appended ${foreignEvent}; this worker stops`);
  }
}

export class DrillNotFoundError extends AppError {
  readonly code = 'DRILL_NOT_FOUND';
  override readonly httpStatus = HttpStatus.NOT_FOUND;

  constructor(readonly drillId: string) {
    super(`no drill with id ${drillId}`);
  }
}

/**
 * One drill's stream held open by its single writer: appends go out in call order, each naming
 * the sequence the previous one produced, on behalf of whoever requested the drill, and the
 * folded state follows every append. Events can also be staged: they count in the state at once
 * and go out with the next append, so that decisions see them without a write of their own.
 */
export class DrillStream {
  private tail: Promise<unknown> = Promise.resolve();
  private staged: { readonly event: DrillEvent; readonly occurredAt: string }[] = [];
  /** The written state with the staged events folded in. */
  private current: DrillState;

  private constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    /** The state as the log has it. */
    private written: DrillState,
  ) {
    this.current = written;
  }

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

  /** The drill as its written and staged events tell it; staged events count in its version as if written. */
  get state(): DrillState {
    return this.current;
  }

  /** Folds events into the state now and writes them first in the next append. */
  stage(...events: DrillEvent[]): void {
    const occurredAt = new Date(this.clock.now()).toISOString();
    this.staged.push(...events.map((event) => ({ event, occurredAt })));
    this.current = this.withStaged(this.written);
  }

  /**
   * Appends the staged events and these on behalf of the drill's requester. When someone else
   * appended a control event (an abort request) since the last look, it is folded in and the
   * append goes through after it; any other foreign event means another worker runs the drill,
   * and `DrillTakenOverError` stops this one.
   */
  append(...events: DrillEvent[]): Promise<void> {
    const batch = [...this.staged.map(({ event }) => event), ...events];
    this.staged = [];
    const appended = this.tail.then(async () => {
      if (batch.length === 0) {
        return;
      }
      for (;;) {
        try {
          const recorded: RecordedDrillEvent[] = await this.store.append(this.written.id, this.written.version, batch, {
            occurredAt: new Date(this.clock.now()),
            actor: this.written.actor,
          });
          this.written = recorded.reduce(evolve, this.written);
          this.current = this.withStaged(this.written);
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

  /** Writes the staged events, if any. */
  flush(): Promise<void> {
    return this.append();
  }

  /** Folds in whatever others appended since the last look; see `append` for what is accepted. */
  refresh(): Promise<void> {
    const refreshed = this.tail.then(() => this.catchUp());
    this.tail = refreshed.catch(() => undefined);
    return refreshed;
  }

  private async catchUp(): Promise<void> {
    const newer = await this.store.readPage<DrillEvent>(this.written.id, this.written.version, 1000);
    const foreign = newer.find((event) => !CONTROL_EVENTS.has(event.type));
    if (foreign) {
      throw new DrillTakenOverError(this.written.id, foreign.type);
    }
    this.written = newer.reduce(evolve, this.written);
    this.current = this.withStaged(this.written);
  }

  /** Staged events go out after whatever is written, so they fold in after it too. */
  private withStaged(written: DrillState): DrillState {
    return this.staged.reduce((state, { event, occurredAt }) => {
      const { actor, schemaVersion } = event as NewEvent;
      return evolve(state, {
        ...event,
        streamId: state.id,
        // Not written yet: no place in the log, no hash.
        position: 0,
        hash: '',
        sequence: state.version + 1,
        schemaVersion: schemaVersion ?? 1,
        actor: actor ?? state.actor,
        occurredAt,
      });
    }, written);
  }
}
