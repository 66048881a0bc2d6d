import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { AT_STREAM_END, EventStore } from '../events/event-store.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import type { ScheduleRow } from './schedule.entity.js';

/**
 * The audit log's stream for schedule changes: who created, changed or deleted which schedule,
 * and what it was afterwards. Like the kill switch's, it is not a drill: projections of drills
 * skip it, and the audit chain covers it like every other stream.
 */
export const SCHEDULES_STREAM = 'schedules';

/** A schedule as it stands after a change. */
export interface ScheduleDefinition {
  readonly cron: string | null;
  readonly everyMs: number | null;
  readonly tz: string;
  readonly target: string;
  readonly scenario: string;
  readonly options: object;
  readonly enabled: boolean;
}

export type ScheduleEvent =
  | { type: 'ScheduleCreated'; data: { scheduleId: string; name: string; definition: ScheduleDefinition } }
  | { type: 'ScheduleChanged'; data: { scheduleId: string; name: string; changed: string[]; definition: ScheduleDefinition } }
  | { type: 'ScheduleDeleted'; data: { scheduleId: string; name: string } };

export function definitionOf(row: ScheduleRow): ScheduleDefinition {
  return {
    cron: row.cron,
    everyMs: row.everyMs,
    tz: row.tz,
    target: row.target,
    scenario: row.scenario,
    options: JSON.parse(row.options) as object,
    enabled: row.enabled,
  };
}

@Injectable()
export class ScheduleAudit {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Appends a change on behalf of `actor`, after whatever other instances appended meanwhile. */
  async record(event: ScheduleEvent, actor: string): Promise<void> {
    await this.store.append<ScheduleEvent>(SCHEDULES_STREAM, AT_STREAM_END, [event], {
      occurredAt: new Date(this.clock.now()),
      actor,
      // The one stream of its kind.
      streamKind: SCHEDULES_STREAM,
    });
  }

  /** Every change on record, newest first; those of one schedule when `scheduleId` is given. */
  async changes(scheduleId?: string): Promise<RecordedEvent<ScheduleEvent>[]> {
    const events = await this.store.read<ScheduleEvent>(SCHEDULES_STREAM);
    return events.filter((event) => scheduleId === undefined || event.data.scheduleId === scheduleId).reverse();
  }
}
