import { Cluster } from 'ioredis';
import type { NamedNode } from '../cluster/node-snapshot.js';
import { ioredisSecurityOptions, type RedisSecurity } from '../cluster/redis-security.js';
import { hashTagsBySlot } from '../cluster/slot-keys.js';
import type { Clock } from '../common/clock.js';
import { settlesWithin } from '../common/wait-for.js';
import {
  errorKind,
  overallFigures,
  shardFigures,
  type ErrorKind,
  type ProbeReport,
  type ProbeWrite,
  type WriteOutcome,
} from './probe-report.js';

export interface ProbeSettings {
  /** Writes per second across all shards. */
  readonly writesPerSecond: number;
  /** A write with no answer after this long counts as unknown. */
  readonly writeTimeoutMs: number;
}

export const PROBE_KEY_PREFIX = 'redis-drill:probe:';
/** Probe keys expire on their own, so that drills do not fill the cluster with them. */
const PROBE_KEY_TTL_SECONDS = 3600;
const READ_BACK_BATCH = 500;
/** How long `start` waits for the client's first write on every shard before the drill goes on regardless. */
const WARM_UP_TIMEOUT_MS = 5_000;

class WriteTimeout extends Error {}

/**
 * A client of the cluster during the drill: it writes sequenced keys to every shard at a steady
 * rate through an ioredis `Cluster` client whose start nodes include both groups, records each
 * write as acknowledged, failed or unknown, and after the drill reads them back. What it reports
 * is what an application would have felt: how long writes stopped succeeding, and which
 * acknowledged writes are gone.
 */
export class LiveProbe {
  private readonly client: Cluster;
  private readonly writes = new Map<number, ProbeWrite[]>();
  private loops: Promise<void>[] = [];
  private stopping = false;
  private startedAt = 0;
  /** Where the figures count from: once the client had written to every shard (see `start`). */
  private warmAt = 0;
  private readonly firstAcks = new Map<number, () => void>();

  constructor(
    nodes: readonly NamedNode[],
    /** One slot per shard: each shard's keys share that slot's hash tag. */
    private readonly slots: readonly number[],
    /** Distinguishes this drill's keys from every other drill's. */
    private readonly runId: string,
    private readonly settings: ProbeSettings,
    private readonly clock: Clock,
    /** The target's AUTH and TLS, for every node the client reaches. */
    security?: RedisSecurity,
  ) {
    this.client = new Cluster(
      nodes.map((node) => ({ host: node.host, port: node.port })),
      {
        // Follow a failover quickly: refresh the slot map on a timer and retry soon after errors.
        slotsRefreshInterval: 1000,
        slotsRefreshTimeout: 500,
        retryDelayOnFailover: 20,
        retryDelayOnClusterDown: 20,
        retryDelayOnTryAgain: 20,
        maxRedirections: 32,
        clusterRetryStrategy: (times) => Math.min(times * 50, 500),
        redisOptions: { connectTimeout: 500, ...ioredisSecurityOptions(security) },
      },
    );
    this.client.on('error', () => undefined);
  }

  /**
   * Starts writing, and settles once every shard has acknowledged a write (or after
   * `WARM_UP_TIMEOUT_MS`), with the slots whose shard had not. An application's client has found
   * the cluster long before a failover; a probe started just before the kill would count its own
   * connecting and first slot map as outage, so the figures count from here, and the drill kills
   * nothing before.
   */
  async start(): Promise<number[]> {
    this.startedAt = this.clock.now();
    this.warmAt = this.startedAt;
    const intervalMs = (1000 * this.slots.length) / this.settings.writesPerSecond;
    const warm = Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => this.firstAcks.set(slot, resolve))));
    this.loops = this.slots.map((slot) => this.writeLoop(slot, intervalMs));
    await settlesWithin(warm, WARM_UP_TIMEOUT_MS);
    this.warmAt = this.clock.now();
    return this.slots.filter((slot) => !this.writes.get(slot)?.some((write) => write.outcome === 'acked'));
  }

  /** Stops writing, reads every key back, and reports. */
  async stop(): Promise<ProbeReport> {
    this.stopping = true;
    await Promise.all(this.loops);
    const stoppedAt = this.clock.now();
    try {
      const shards = [];
      for (const slot of this.slots) {
        const writes = this.writes.get(slot) ?? [];
        const present = await this.readBack(slot, writes);
        shards.push({ slot, ...shardFigures(writes, present, this.warmAt, stoppedAt) });
      }
      return {
        writesPerSecond: this.settings.writesPerSecond,
        durationMs: Math.round(stoppedAt - this.startedAt),
        ...overallFigures(shards),
        shards,
      };
    } finally {
      this.client.disconnect();
    }
  }

  /** Stops writing at once, reading nothing back. */
  discard(): void {
    this.stopping = true;
    this.client.disconnect();
  }

  /** The longest stretch so far without a successful write on some shard, counting the one under way. */
  outageMs(): number {
    const now = this.clock.now();
    const shards = this.slots.map((slot) => shardFigures(this.writes.get(slot) ?? [], new Set(), this.warmAt, now).clientRtoMs);
    return Math.max(0, ...shards);
  }

  /** Writes so far that failed or got no answer in time, on every shard. */
  failedWrites(): number {
    let failed = 0;
    for (const writes of this.writes.values()) {
      failed += writes.filter((write) => write.outcome !== 'acked').length;
    }
    return failed;
  }

  private key(slot: number, seq: number): string {
    return `${PROBE_KEY_PREFIX}{${hashTagsBySlot()[slot]}}:${this.runId}:${seq}`;
  }

  private async writeLoop(slot: number, intervalMs: number): Promise<void> {
    const writes: ProbeWrite[] = [];
    this.writes.set(slot, writes);
    for (let seq = 1; !this.stopping; seq++) {
      const sentAt = this.clock.now();
      const { outcome, error } = await this.write(this.key(slot, seq), seq);
      writes.push({ seq, sentAt, doneAt: this.clock.now(), outcome, ...(error ? { error } : {}) });
      if (outcome === 'acked') {
        this.firstAcks.get(slot)?.();
      }
      // Pacing, not waiting on a condition: the next write goes out one interval after this one did.
      const wait = sentAt + intervalMs - this.clock.now();
      if (wait > 0 && !this.stopping) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async write(key: string, seq: number): Promise<{ outcome: WriteOutcome; error?: ErrorKind }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WriteTimeout()), this.settings.writeTimeoutMs);
    });
    const write = this.client.set(key, String(seq), 'EX', PROBE_KEY_TTL_SECONDS);
    // A write given up on may still fail later; its outcome is already counted as unknown.
    write.catch(() => undefined);
    try {
      await Promise.race([write, timeout]);
      return { outcome: 'acked' };
    } catch (error) {
      return error instanceof WriteTimeout ? { outcome: 'unknown', error: 'timeout' } : { outcome: 'failed', error: errorKind(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Which of the shard's writes are there now; all its keys share one slot, so MGET works. */
  private async readBack(slot: number, writes: readonly ProbeWrite[]): Promise<Set<number>> {
    const present = new Set<number>();
    for (let index = 0; index < writes.length; index += READ_BACK_BATCH) {
      const batch = writes.slice(index, index + READ_BACK_BATCH);
      const values = await this.client.mget(...batch.map((write) => this.key(slot, write.seq)));
      batch.forEach((write, at) => {
        if (values[at] === String(write.seq)) {
          present.add(write.seq);
        }
      });
    }
    return present;
  }
}
