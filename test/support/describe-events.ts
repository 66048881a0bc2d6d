/** What `describeEvents` needs of an event, whether read from the API (`DrillEventDto`) or the store. */
export interface DescribableEvent {
  readonly sequence: number;
  readonly type: string;
  readonly data: unknown;
  readonly occurredAt?: string;
}

/** One line per event: enough to see why a drill ended as it did, or where it got stuck. */
export function describeEvents(events: readonly DescribableEvent[]): string {
  return events.map((event) => `  #${event.sequence} ${event.occurredAt ?? ''} ${event.type} ${JSON.stringify(event.data)}`).join('\n');
}
