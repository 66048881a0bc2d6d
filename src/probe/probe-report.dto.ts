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
  /** Any other error. */
  other!: number;
}

export class ProbeFiguresDto {
  /** Writes sent. */
  writes!: number;
  /** Writes the cluster acknowledged. */
  acked!: number;
  /** Writes that failed with an error other than a timeout. */
  failed!: number;
  /** Timed out: whether they happened was unknown to the client. */
  unknown!: number;
  /** Acknowledged writes missing after the drill: the RPO, in writes. */
  lostAckedWrites!: number;
  /** Writes the client saw fail or time out that are there after the drill. */
  failedButPresent!: number;
  /** The longest stretch without a successful write, in milliseconds: the RTO clients felt. */
  clientRtoMs!: number;
  /** Failed and timed-out writes, by cause. */
  errors!: ProbeErrorsDto;
}

export class ShardProbeReportDto extends ProbeFiguresDto {
  /** The slot this shard's probe keys hash to. */
  slot!: number;
}

export class ProbeReportDto extends ProbeFiguresDto {
  /** The write rate asked for, across all shards. */
  writesPerSecond!: number;
  /** How long the probe wrote, in milliseconds. */
  durationMs!: number;
  /** The figures of each shard; the overall ones are their sums, and the worst shard's `clientRtoMs`. */
  shards!: ShardProbeReportDto[];
}
