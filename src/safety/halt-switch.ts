import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { EventStore, StreamConflictError } from '../events/event-store.js';
import { DrillSummaryReader } from '../drills/drill-summary.reader.js';

/**
 * The audit log's stream for the global kill switch. It is not a drill: projections of drills
 * skip it, and the audit chain covers it like every other stream.
 */
export const SAFETY_STREAM = 'safety';

export type SafetyEvent = { type: 'HaltEngaged'; data: { reason: string } } | { type: 'HaltReleased'; data: { reason: string } };

export interface HaltState {
  readonly engaged: boolean;
  /** Why it was engaged or released last, by whom and when; absent when it never was. */
  readonly reason?: string;
  readonly by?: string;
  readonly since?: string;
}

export class DrillsHaltedError extends AppError {
  readonly code = 'DRILLS_HALTED';
  override readonly httpStatus = HttpStatus.LOCKED;

  constructor(readonly halt: HaltState) {
    super(`drills are halted since ${halt.since} by ${halt.by}: ${halt.reason}; an admin releases the halt with DELETE /api/safety/halt`);
  }
}

export class NotHaltedError extends AppError {
  readonly code = 'NOT_HALTED';
  override readonly httpStatus = HttpStatus.CONFLICT;

  constructor() {
    super('drills are not halted; there is nothing to release');
  }
}

/** Reads and flips the kill switch. Its state lives in the audit log, so it survives restarts and is shared by every instance. */
@Injectable()
export class HaltSwitch {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async state(): Promise<HaltState> {
    return (await this.current()).state;
  }

  /** Throws `DrillsHaltedError` while the switch is engaged. */
  async assertNotHalted(): Promise<void> {
    const state = await this.state();
    if (state.engaged) {
      throw new DrillsHaltedError(state);
    }
  }

  /** Engages the switch (a no-op when it is already engaged) and answers the drills still running or queued, to be aborted. */
  async engage(reason: string, actor: string): Promise<{ state: HaltState; activeDrills: string[] }> {
    const { state, version } = await this.current();
    if (!state.engaged) {
      await this.append(version, { type: 'HaltEngaged', data: { reason } }, actor);
    }
    const activeDrills = (await this.summaries.unfinished()).map((drill) => drill.id);
    return { state: await this.state(), activeDrills };
  }

  async release(reason: string, actor: string): Promise<HaltState> {
    const { state, version } = await this.current();
    if (!state.engaged) {
      throw new NotHaltedError();
    }
    await this.append(version, { type: 'HaltReleased', data: { reason } }, actor);
    return this.state();
  }

  private async append(version: number, event: SafetyEvent, actor: string): Promise<void> {
    try {
      await this.store.append<SafetyEvent>(SAFETY_STREAM, version, [event], {
        occurredAt: new Date(this.clock.now()),
        actor,
        // The one stream of its kind.
        streamKind: SAFETY_STREAM,
      });
    } catch (error) {
      // Another admin flipped it at the same moment: theirs stands, and the caller sees the result.
      if (!(error instanceof StreamConflictError)) {
        throw error;
      }
    }
  }

  private async current(): Promise<{ state: HaltState; version: number }> {
    const events = await this.store.read<SafetyEvent>(SAFETY_STREAM);
    const last = events.at(-1);
    if (!last) {
      return { state: { engaged: false }, version: 0 };
    }
    return {
      state: { engaged: last.type === 'HaltEngaged', reason: last.data.reason, by: last.actor, since: last.occurredAt },
      version: last.sequence,
    };
  }
}
