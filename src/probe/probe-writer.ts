import { Cluster } from 'ioredis';
import type { NodeAddress } from '../cluster/node-address.js';
import { ioredisSecurityOptions, type RedisSecurity } from '../cluster/redis-security.js';
import { systemClock, type Clock } from '../common/clock.js';
import { errorKind, type ErrorKind, type ProbeWrite, type WriteOutcome } from './probe-report.js';

/** Probe keys expire on their own, so that drills do not fill the cluster with them. */
const PROBE_KEY_TTL_SECONDS = 3600;
const READ_BACK_BATCH = 500;

/** Everything the writer needs, as plain data: it is handed to the probe's thread. */
export interface ProbeWriterSetup {
  /** The client's start nodes: every node of both groups. */
  readonly nodes: readonly NodeAddress[];
  /** One entry per shard: the slot, and the prefix of its keys (whose hash tag sends them to that slot). */
  readonly shards: readonly { readonly slot: number; readonly keyPrefix: string }[];
  /** Writes per second across all shards. */
  readonly writesPerSecond: number;
  /** A write with no answer after this long counts as unknown. */
  readonly writeTimeoutMs: number;
  /** The target's AUTH and TLS, for every node the client reaches. */
  readonly security?: RedisSecurity;
}

/** What the writer found at its end: when it stopped writing, and which sequence numbers each slot's keys hold. */
export interface ProbeReadBack {
  readonly stoppedAt: number;
  readonly present: Readonly<Record<number, readonly number[]>>;
}

class WriteTimeout extends Error {}

/**
 * The probe's client: it writes sequenced keys to every shard at a steady rate through an ioredis
 * `Cluster` client whose start nodes include both groups, hands each write's outcome to `record`
 * as it ends, and at the end reads the keys back. It keeps no figures: whoever records the writes
 * makes them.
 */
export class ProbeWriter {
  private readonly client: Cluster;
  private readonly sequences = new Map<number, number>();
  private loops: Promise<void>[] = [];
  private stopping = false;

  constructor(
    private readonly setup: ProbeWriterSetup,
    private readonly record: (slot: number, write: ProbeWrite) => void,
    private readonly clock: Clock = systemClock,
  ) {
    this.client = new Cluster(
      setup.nodes.map((node) => ({ host: node.host, port: node.port })),
      {
        // Follow a failover quickly: refresh the slot map on a timer and retry soon after errors.
        slotsRefreshInterval: 1000,
        slotsRefreshTimeout: 500,
        retryDelayOnFailover: 20,
        retryDelayOnClusterDown: 20,
        retryDelayOnTryAgain: 20,
        maxRedirections: 32,
        clusterRetryStrategy: (times) => Math.min(times * 50, 500),
        redisOptions: { connectTimeout: 500, ...ioredisSecurityOptions(setup.security) },
      },
    );
    this.client.on('error', () => undefined);
  }

  start(): void {
    const intervalMs = (1000 * this.setup.shards.length) / this.setup.writesPerSecond;
    this.loops = this.setup.shards.map((shard) => this.writeLoop(shard.slot, shard.keyPrefix, intervalMs));
  }

  /** Stops writing once the writes under way have ended, and reads every key back. */
  async stop(): Promise<ProbeReadBack> {
    this.stopping = true;
    await Promise.all(this.loops);
    const stoppedAt = this.clock.now();
    try {
      const present: Record<number, number[]> = {};
      for (const shard of this.setup.shards) {
        present[shard.slot] = await this.readBack(shard.keyPrefix, this.sequences.get(shard.slot) ?? 0);
      }
      return { stoppedAt, present };
    } finally {
      this.client.disconnect();
    }
  }

  /** Gives up at once: no read-back. */
  discard(): void {
    this.stopping = true;
    this.client.disconnect();
  }

  private async writeLoop(slot: number, keyPrefix: string, intervalMs: number): Promise<void> {
    for (let seq = 1; !this.stopping; seq++) {
      const sentAt = this.clock.now();
      const { outcome, error } = await this.write(`${keyPrefix}${seq}`, seq);
      this.sequences.set(slot, seq);
      this.record(slot, { seq, sentAt, doneAt: this.clock.now(), outcome, ...(error ? { error } : {}) });
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
      timer = setTimeout(() => reject(new WriteTimeout()), this.setup.writeTimeoutMs);
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

  /** Which of the shard's sequence numbers 1..last are there now; its keys share one slot, so MGET works. */
  private async readBack(keyPrefix: string, last: number): Promise<number[]> {
    const present: number[] = [];
    for (let first = 1; first <= last; first += READ_BACK_BATCH) {
      const seqs = Array.from({ length: Math.min(READ_BACK_BATCH, last - first + 1) }, (_, index) => first + index);
      const values = await this.client.mget(...seqs.map((seq) => `${keyPrefix}${seq}`));
      seqs.forEach((seq, at) => {
        if (values[at] === String(seq)) {
          present.push(seq);
        }
      });
    }
    return present;
  }
}
