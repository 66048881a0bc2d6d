import type { DataSource } from 'typeorm';
import { DrillEventRow } from './drill-event.entity.js';

/** An event as a domain writes it: a type name and a JSON-serialisable payload. */
export interface NewEvent {
  readonly type: string;
  readonly data: object;
}

/** An event as the log holds it. */
export type RecordedEvent<E extends NewEvent = NewEvent> = E & {
  readonly drillId: string;
  readonly position: number;
  readonly sequence: number;
  readonly occurredAt: string;
};

export class StreamConflictError extends Error {
  constructor(
    readonly drillId: string,
    readonly expectedSequence: number,
    readonly actualSequence: number,
  ) {
    super(`drill ${drillId}: expected its stream at sequence ${expectedSequence}, found ${actualSequence}; another writer appended first`);
    this.name = 'StreamConflictError';
  }
}

/**
 * The audit log: one append-only stream of events per drill in SQLite. An append names the
 * sequence the writer last saw and fails with a conflict if anyone appended since, so that two
 * writers on one drill can never interleave.
 */
export class EventStore {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends events after `expectedSequence` (0 for a new stream) in one transaction and returns
   * them as recorded. Appends from this process are queued so that transactions never overlap.
   */
  append<E extends NewEvent>(
    drillId: string,
    expectedSequence: number,
    events: readonly E[],
    occurredAt: Date,
  ): Promise<RecordedEvent<E>[]> {
    const result = this.tail.then(() => this.appendNow(drillId, expectedSequence, events, occurredAt));
    this.tail = result.catch(() => undefined);
    return result;
  }

  async read<E extends NewEvent>(drillId: string): Promise<RecordedEvent<E>[]> {
    const rows = await this.dataSource.getRepository(DrillEventRow).find({ where: { drillId }, order: { sequence: 'ASC' } });
    return rows.map((row) => toRecorded<E>(row));
  }

  private async appendNow<E extends NewEvent>(
    drillId: string,
    expectedSequence: number,
    events: readonly E[],
    occurredAt: Date,
  ): Promise<RecordedEvent<E>[]> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(DrillEventRow);
      const last = await repository
        .createQueryBuilder('event')
        .select('MAX(event.sequence)', 'sequence')
        .where('event.drill_id = :drillId', { drillId })
        .getRawOne<{ sequence: number | null }>();
      const actual = last?.sequence ?? 0;
      if (actual !== expectedSequence) {
        throw new StreamConflictError(drillId, expectedSequence, actual);
      }
      const rows = events.map((event, index) =>
        repository.create({
          drillId,
          sequence: expectedSequence + index + 1,
          type: event.type,
          data: JSON.stringify(event.data),
          occurredAt: occurredAt.toISOString(),
        }),
      );
      const saved = await repository.save(rows);
      return saved.map((row) => toRecorded<E>(row));
    });
  }
}

function toRecorded<E extends NewEvent>(row: DrillEventRow): RecordedEvent<E> {
  return {
    type: row.type,
    data: JSON.parse(row.data) as object,
    drillId: row.drillId,
    position: row.position,
    sequence: row.sequence,
    occurredAt: row.occurredAt,
  } as RecordedEvent<E>;
}
