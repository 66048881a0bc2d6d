export class BrokenLinkDto {
  /** Global position of the first event that does not check out. */
  position!: number;
  drillId!: string;
  sequence!: number;
  /** What is wrong there. */
  problem!: string;
}

export class AuditHeadDto {
  position!: number;
  /** Hash of the last event; keep a copy elsewhere to detect a log cut short later. */
  hash!: string;
}

export class AuditReportDto {
  /** True when every event matches its hash and its predecessor, and nothing is missing. */
  intact!: boolean;
  eventsChecked!: number;
  head!: AuditHeadDto | null;
  firstBrokenLink!: BrokenLinkDto | null;
}
