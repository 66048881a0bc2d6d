/** An event as a test reads it, from the API or the store. */
export interface DrillEventDto {
  readonly sequence: number;
  readonly type: string;
  readonly actor?: string;
  readonly data: unknown;
  readonly occurredAt?: string;
}

/** One line per event: enough to see why a drill ended as it did, or where it got stuck. */
export function describeEvents(events: readonly DrillEventDto[]): string {
  return events.map((event) => `  #${event.sequence} ${event.occurredAt ?? ''} ${event.type} ${JSON.stringify(event.data)}`).join('\n');
}
