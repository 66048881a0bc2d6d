export class BrokenLinkDto {
  /** Global position of the first event that does not check out. */
  position!: number;
  /** The stream the event belongs to; empty when events at the log's end were removed. */
  drillId!: string;
  /** The event's place in its drill's stream, from 1; 0 when events at the log's end were removed. */
  sequence!: number;
  /** What is wrong there. */
  problem!: string;
}

export class AuditHeadDto {
  /** Global position of the last event, which in an intact log is the number of events. */
  position!: number;
  /** Hash of the last event; keep a copy elsewhere to detect a log cut short later. */
  hash!: string;
}

export class AuditReportDto {
  /** True when every event matches its hash and its predecessor, and nothing is missing. */
  intact!: boolean;
  /** Events that checked out before the walk stopped: every event when the log is intact. */
  eventsChecked!: number;
  /** Position and hash of the last event; null when the log is broken or empty. */
  head!: AuditHeadDto | null;
  /** The first event that does not check out; null when the log is intact. */
  firstBrokenLink!: BrokenLinkDto | null;
}
