import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { settlesWithin } from '../common/wait-for.js';
import { DrillSummaryReader, type LastDrill } from '../drills/drill-summary.reader.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { HaltSwitch } from '../safety/halt-switch.js';
import { auditSnapshot, STEP_BUCKETS_SECONDS, type AuditSnapshot } from './audit-snapshot.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const QUEUE_COUNT_WAIT_MS = 1_000;
/** One scrape reads the log once: every metric of it uses the same snapshot. */
const SNAPSHOT_REUSE_MS = 1_000;
const STEP_DURATION = 'redis_drill_step_duration_seconds';

/**
 * The Prometheus view of the audit log, computed from its tables at every scrape: every instance
 * that shares the log reports the same figures, whichever of them ran the drills, and a restart
 * loses nothing.
 */
@Injectable()
export class DrillMetrics {
  readonly registry = new Registry();
  private snapshot: { at: number; value: Promise<AuditSnapshot> } | undefined;

  constructor(
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(DrillQueue) queue: DrillQueue,
    @Inject(HaltSwitch) halt: HaltSwitch,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'redis_drill_process_' });
    const audit = () => this.audit();
    new Gauge({
      name: 'redis_drill_drills',
      help: 'Drills in the audit log, by target, scenario, trigger and status.',
      labelNames: ['target', 'scenario', 'trigger', 'status'],
      registers: [this.registry],
      async collect() {
        const { drills } = await audit();
        this.reset();
        for (const { n, ...labels } of drills) {
          this.set(labels, n);
        }
      },
    });
    this.registry.registerMetric(new StepDurations(async () => (await audit()).steps));
    const perTarget = (name: string, help: string, value: (row: LastDrill) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['target'],
        registers: [this.registry],
        async collect() {
          const { lastDrills } = await audit();
          this.reset();
          for (const row of lastDrills) {
            const figure = value(row);
            if (figure !== null) {
              this.set({ target: row.target }, figure);
            }
          }
        },
      });
    perTarget(
      'redis_drill_last_finished_timestamp_seconds',
      'When the latest drill on the target finished (Unix time).',
      (row) => Date.parse(row.finishedAt) / 1000,
    );
    perTarget('redis_drill_last_succeeded', '1 when the latest drill on the target succeeded, 0 otherwise.', (row) =>
      row.status === 'succeeded' ? 1 : 0,
    );
    perTarget('redis_drill_last_kill_to_serving_seconds', 'Latest drill: from the kill to all slots served by the new masters.', (row) =>
      row.killToServingMs === null ? null : row.killToServingMs / 1000,
    );
    perTarget(
      'redis_drill_last_kill_to_redundant_seconds',
      'Latest drill: from the kill to the new masters having synced replicas.',
      (row) => (row.killToRedundantMs === null ? null : row.killToRedundantMs / 1000),
    );
    perTarget(
      'redis_drill_last_client_rto_seconds',
      'Latest drill: the longest stretch the probe went without a successful write.',
      (row) => (row.clientRtoMs === null ? null : row.clientRtoMs / 1000),
    );
    perTarget(
      'redis_drill_last_lost_acked_writes',
      'Latest drill: acknowledged probe writes missing afterwards (the RPO, in writes).',
      (row) => row.lostAckedWrites,
    );
    new Gauge({
      name: 'redis_drill_queue_jobs',
      help: 'Jobs in the drill queue, by state; absent while the queue Redis does not answer.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        // A scrape must not wait on a Redis that is down.
        const counting = queue.queue.getJobCounts(...QUEUE_STATES);
        counting.catch(() => undefined);
        const counts = (await settlesWithin(counting, QUEUE_COUNT_WAIT_MS)) ? await counting.catch(() => undefined) : undefined;
        for (const state of QUEUE_STATES) {
          if (counts) {
            this.set({ state }, counts[state] ?? 0);
          }
        }
      },
    });
    new Gauge({
      name: 'redis_drill_halt_engaged',
      help: '1 while the kill switch refuses drills.',
      registers: [this.registry],
      async collect() {
        this.set((await halt.state()).engaged ? 1 : 0);
      },
    });
  }

  private audit(): Promise<AuditSnapshot> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > SNAPSHOT_REUSE_MS) {
      this.snapshot = { at: now, value: auditSnapshot(this.summaries) };
    }
    return this.snapshot.value;
  }
}

/** Step durations as a histogram whose buckets the database counts, instead of replaying every step into one. */
class StepDurations extends Histogram<'step' | 'target'> {
  constructor(private readonly rows: () => Promise<AuditSnapshot['steps']>) {
    super({
      name: STEP_DURATION,
      help: 'How long each successful step took, by step and target.',
      labelNames: ['step', 'target'],
      buckets: STEP_BUCKETS_SECONDS,
      registers: [],
    });
  }

  /** What the registry asks a histogram for when it writes the text format (not in prom-client's typings). */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram<'step' | 'target'>['get']>>> {
    return this.get();
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<'step' | 'target'>['get']>>> {
    const values = (await this.rows()).flatMap((row) => {
      const labels = { step: row.step, target: row.target };
      return [
        ...STEP_BUCKETS_SECONDS.map((le, index) => ({
          metricName: `${STEP_DURATION}_bucket`,
          labels: { ...labels, le },
          value: row.buckets[index]!,
        })),
        { metricName: `${STEP_DURATION}_bucket`, labels: { ...labels, le: '+Inf' }, value: row.count },
        { metricName: `${STEP_DURATION}_sum`, labels, value: row.sumSeconds },
        { metricName: `${STEP_DURATION}_count`, labels, value: row.count },
      ];
    });
    // prom-client's typings say an enum; at run time the type is the string of the exposition format.
    return {
      name: STEP_DURATION,
      help: 'How long each successful step took, by step and target.',
      type: 'histogram' as never,
      aggregator: 'sum',
      values,
      collect: () => undefined,
    };
  }
}
