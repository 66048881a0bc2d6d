import type { Worker } from 'node:worker_threads';
import type { NamedNode } from '../cluster/node-snapshot.js';
import type { RedisSecurity } from '../cluster/redis-security.js';
import { hashTagsBySlot } from '../cluster/slot-keys.js';
import type { Clock } from '../common/clock.js';
import { moduleWorker } from '../common/module-worker.js';
import { settlesWithin } from '../common/wait-for.js';
import { overallFigures, shardFigures, type ProbeReport, type ProbeWrite } from './probe-report.js';
import type { FromProbeThread, ToProbeThread } from './probe-thread.js';
import type { ProbeReadBack, ProbeWriterSetup } from './probe-writer.js';

export interface ProbeSettings {
  /** Writes per second across all shards. */
  readonly writesPerSecond: number;
  /** A write with no answer after this long counts as unknown. */
  readonly writeTimeoutMs: number;
}

export const PROBE_KEY_PREFIX = 'redis-drill:probe:';
/** How long `start` waits for the client's first write on every shard before the drill goes on regardless. */
const WARM_UP_TIMEOUT_MS = 5_000;

/**
 * A client of the cluster during the drill, as an application would run one: its writer (see
 * `ProbeWriter`) runs in a worker thread of its own, and every write's outcome comes back here as
 * it ends. What it reports is what an application would have felt: how long writes stopped
 * succeeding, and which acknowledged writes are gone.
 */
export class LiveProbe {
  private readonly writes = new Map<number, ProbeWrite[]>();
  private readonly firstAcks = new Map<number, () => void>();
  private readonly setup: ProbeWriterSetup;
  private thread: Worker | undefined;
  private ended: Promise<ProbeReadBack> | undefined;
  private startedAt = 0;
  /** Where the figures count from: once the client had written to every shard (see `start`). */
  private warmAt = 0;

  constructor(
    nodes: readonly NamedNode[],
    /** One slot per shard: each shard's keys share that slot's hash tag. */
    private readonly slots: readonly number[],
    /** Distinguishes this drill's keys from every other drill's. */
    runId: string,
    settings: ProbeSettings,
    /** Times the figures; the thread's writes carry epoch times of the same kind. */
    private readonly clock: Clock,
    /** The target's AUTH and TLS, for every node the client reaches. */
    security?: RedisSecurity,
  ) {
    const tags = hashTagsBySlot();
    this.setup = {
      nodes: nodes.map((node) => ({ host: node.host, port: node.port })),
      shards: slots.map((slot) => ({ slot, keyPrefix: `${PROBE_KEY_PREFIX}{${tags[slot]}}:${runId}:` })),
      writesPerSecond: settings.writesPerSecond,
      writeTimeoutMs: settings.writeTimeoutMs,
      ...(security ? { security } : {}),
    };
    for (const slot of slots) {
      this.writes.set(slot, []);
    }
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
    const warm = Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => this.firstAcks.set(slot, resolve))));
    const thread = moduleWorker(import.meta.url, 'probe-thread', this.setup);
    this.thread = thread;
    this.ended = new Promise<ProbeReadBack>((resolve, reject) => {
      thread.on('message', (message: FromProbeThread) => {
        if (message.kind === 'write') {
          this.writes.get(message.slot)?.push(message.write);
          if (message.write.outcome === 'acked') {
            this.firstAcks.get(message.slot)?.();
          }
        } else if (message.kind === 'stopped') {
          resolve(message.readBack);
        } else {
          reject(new Error(message.message));
        }
      });
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`the probe's thread exited (${code}) before it had read its writes back`)));
    });
    // Only `stop` waits on the end; a thread that dies before then is reported there.
    this.ended.catch(() => undefined);
    await settlesWithin(warm, WARM_UP_TIMEOUT_MS);
    this.warmAt = this.clock.now();
    return this.slots.filter((slot) => !this.writes.get(slot)?.some((write) => write.outcome === 'acked'));
  }

  /** Stops writing, reads every key back, and reports. */
  async stop(): Promise<ProbeReport> {
    const thread = this.thread;
    if (!thread || !this.ended) {
      throw new Error('the probe was stopped before it started');
    }
    this.tell(thread, { kind: 'stop' });
    try {
      const { stoppedAt, present } = await this.ended;
      const shards = this.slots.map((slot) => ({
        slot,
        ...shardFigures(this.writes.get(slot) ?? [], new Set(present[slot] ?? []), this.warmAt, stoppedAt),
      }));
      return {
        writesPerSecond: this.setup.writesPerSecond,
        durationMs: Math.round(stoppedAt - this.startedAt),
        ...overallFigures(shards),
        shards,
      };
    } finally {
      this.thread = undefined;
      await thread.terminate();
    }
  }

  /** Ends the thread without reading anything back. */
  discard(): void {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) {
      this.tell(thread, { kind: 'discard' });
      void thread.terminate();
    }
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

  private tell(thread: Worker, message: ToProbeThread): void {
    thread.postMessage(message);
  }
}
