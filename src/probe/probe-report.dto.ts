export class ProbeErrorsDto {
  /** `CLUSTERDOWN` answers. */
  clusterDown!: number;
  /** `MOVED`/`ASK` the client could not follow. */
  redirects!: number;
  /** Refused, reset or closed connections. */
  connection!: number;
  /** Writes sent to a node that had become a replica. */
  readonly!: number;
  /** Writes with no answer in time. */
  timeout!: number;
  other!: number;
}

export class ProbeFiguresDto {
  writes!: number;
  acked!: number;
  failed!: number;
  /** Timed out: whether they happened was unknown to the client. */
  unknown!: number;
  /** Acknowledged writes missing after the drill: the RPO, in writes. */
  lostAckedWrites!: number;
  /** Writes the client saw fail or time out that are there after the drill. */
  failedButPresent!: number;
  /** The longest stretch without a successful write, in milliseconds: the RTO clients felt. */
  clientRtoMs!: number;
  errors!: ProbeErrorsDto;
}

export class ShardProbeReportDto extends ProbeFiguresDto {
  /** The slot this shard's probe keys hash to. */
  slot!: number;
}

export class ProbeReportDto extends ProbeFiguresDto {
  writesPerSecond!: number;
  durationMs!: number;
  shards!: ShardProbeReportDto[];
}
