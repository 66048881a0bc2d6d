/** Why a probe write failed, as a cluster client sees it. */
export const ERROR_KINDS = ['clusterDown', 'redirects', 'connection', 'readonly', 'timeout', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export type WriteOutcome = 'acked' | 'failed' | 'unknown';

/** One probe write and what became of it. */
export interface ProbeWrite {
  readonly seq: number;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly outcome: WriteOutcome;
  readonly error?: ErrorKind;
}

export interface ProbeFigures {
  readonly writes: number;
  readonly acked: number;
  readonly failed: number;
  /** Timed out: the client cannot know whether the write happened. */
  readonly unknown: number;
  /** Acknowledged writes missing afterwards: the RPO, in writes. */
  readonly lostAckedWrites: number;
  /** Writes the client saw fail or time out that are there afterwards. */
  readonly failedButPresent: number;
  /** The longest stretch without a successful write: the RTO the clients felt. */
  readonly clientRtoMs: number;
  readonly errors: Readonly<Record<ErrorKind, number>>;
}

export interface ShardProbeReport extends ProbeFigures {
  /** The slot the shard's probe keys hash to. */
  readonly slot: number;
}

export interface ProbeReport extends ProbeFigures {
  readonly writesPerSecond: number;
  readonly durationMs: number;
  readonly shards: readonly ShardProbeReport[];
}

/** Sorts a client error into a kind by the message Redis or ioredis gives it. */
export function errorKind(error: unknown): ErrorKind {
  const message = error instanceof Error ? error.message : String(error);
  if (/CLUSTERDOWN/.test(message)) {
    return 'clusterDown';
  }
  if (/MOVED|ASK|redirection/i.test(message)) {
    return 'redirects';
  }
  if (/READONLY/.test(message)) {
    return 'readonly';
  }
  if (/ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed|refresh slots|connect|None of startup nodes/i.test(message)) {
    return 'connection';
  }
  return 'other';
}

/**
 * The figures for one shard from its writes and which of them are present afterwards. The RTO
 * is the longest of: probe start to the first success, between two successes, last success to
 * the probe's end.
 */
export function shardFigures(
  writes: readonly ProbeWrite[],
  present: ReadonlySet<number>,
  startedAt: number,
  stoppedAt: number,
): ProbeFigures {
  const errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>;
  let acked = 0;
  let failed = 0;
  let unknown = 0;
  let lostAckedWrites = 0;
  let failedButPresent = 0;
  const successes: number[] = [];
  for (const write of writes) {
    if (write.outcome === 'acked') {
      acked++;
      successes.push(write.doneAt);
      if (!present.has(write.seq)) {
        lostAckedWrites++;
      }
    } else {
      if (write.outcome === 'failed') {
        failed++;
      } else {
        unknown++;
      }
      if (write.error) {
        errors[write.error]++;
      }
      if (present.has(write.seq)) {
        failedButPresent++;
      }
    }
  }
  successes.sort((left, right) => left - right);
  let clientRtoMs = 0;
  let previous = startedAt;
  for (const at of [...successes, stoppedAt]) {
    clientRtoMs = Math.max(clientRtoMs, at - previous);
    previous = at;
  }
  return { writes: writes.length, acked, failed, unknown, lostAckedWrites, failedButPresent, clientRtoMs: round(clientRtoMs), errors };
}

/** The overall figures: sums, and the worst shard's RTO. */
export function overallFigures(shards: readonly ProbeFigures[]): ProbeFigures {
  const sum = (pick: (figures: ProbeFigures) => number) => shards.reduce((total, figures) => total + pick(figures), 0);
  return {
    writes: sum((figures) => figures.writes),
    acked: sum((figures) => figures.acked),
    failed: sum((figures) => figures.failed),
    unknown: sum((figures) => figures.unknown),
    lostAckedWrites: sum((figures) => figures.lostAckedWrites),
    failedButPresent: sum((figures) => figures.failedButPresent),
    clientRtoMs: Math.max(0, ...shards.map((figures) => figures.clientRtoMs)),
    errors: Object.fromEntries(ERROR_KINDS.map((kind) => [kind, sum((figures) => figures.errors[kind])])) as Record<ErrorKind, number>,
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
