import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { sqliteHandle } from '../events/sqlite.js';
import { DrillQueue } from '../queue/drill-queue.js';
import { HaltSwitch } from '../safety/halt-switch.js';

/** Step durations span a few milliseconds (a kill) to seconds (a failback). */
const STEP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

interface LastDrillRow {
  target: string;
  status: string;
  finished_at: string;
  kill_to_serving_ms: number | null;
  kill_to_redundant_ms: number | null;
  client_rto_ms: number | null;
  lost_acked_writes: number | null;
}

/**
 * The Prometheus view of the audit log, computed from its tables at every scrape: every instance
 * that shares the log reports the same figures, whichever of them ran the drills, and a restart
 * loses nothing.
 */
@Injectable()
export class DrillMetrics {
  readonly registry = new Registry();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DrillQueue) queue: DrillQueue,
    @Inject(HaltSwitch) halt: HaltSwitch,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'redis_drill_process_' });
    const db = () => sqliteHandle(this.dataSource);
    new Gauge({
      name: 'redis_drill_drills',
      help: 'Drills in the audit log, by target, scenario, trigger and status.',
      labelNames: ['target', 'scenario', 'trigger', 'status'],
      registers: [this.registry],
      collect() {
        this.reset();
        const rows = db()
          .prepare('SELECT target, scenario, trigger, status, COUNT(*) AS n FROM drills GROUP BY target, scenario, trigger, status')
          .all() as { target: string; scenario: string; trigger: string; status: string; n: number }[];
        for (const { n, ...labels } of rows) {
          this.set(labels, n);
        }
      },
    });
    new Histogram({
      name: 'redis_drill_step_duration_seconds',
      help: 'How long each successful step took, by step and target.',
      labelNames: ['step', 'target'],
      buckets: STEP_BUCKETS_SECONDS,
      registers: [this.registry],
      collect() {
        this.reset();
        const rows = db()
          .prepare(`SELECT name, target, duration_ms FROM drill_steps WHERE status = 'succeeded' AND duration_ms IS NOT NULL`)
          .all() as { name: string; target: string; duration_ms: number }[];
        for (const row of rows) {
          this.observe({ step: row.name, target: row.target }, row.duration_ms / 1000);
        }
      },
    });
    const lastDrill = (): LastDrillRow[] =>
      db()
        .prepare(
          `SELECT target, status, finished_at, kill_to_serving_ms, kill_to_redundant_ms, client_rto_ms, lost_acked_writes
             FROM drills AS latest
            WHERE finished_at = (SELECT MAX(finished_at) FROM drills WHERE target = latest.target AND finished_at IS NOT NULL)`,
        )
        .all() as LastDrillRow[];
    const perTarget = (name: string, help: string, value: (row: LastDrillRow) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['target'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const row of lastDrill()) {
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
      (row) => Date.parse(row.finished_at) / 1000,
    );
    perTarget('redis_drill_last_succeeded', '1 when the latest drill on the target succeeded, 0 otherwise.', (row) =>
      row.status === 'succeeded' ? 1 : 0,
    );
    perTarget('redis_drill_last_kill_to_serving_seconds', 'Latest drill: from the kill to all slots served by the new masters.', (row) =>
      row.kill_to_serving_ms === null ? null : row.kill_to_serving_ms / 1000,
    );
    perTarget(
      'redis_drill_last_kill_to_redundant_seconds',
      'Latest drill: from the kill to the new masters having synced replicas.',
      (row) => (row.kill_to_redundant_ms === null ? null : row.kill_to_redundant_ms / 1000),
    );
    perTarget(
      'redis_drill_last_client_rto_seconds',
      'Latest drill: the longest stretch the probe went without a successful write.',
      (row) => (row.client_rto_ms === null ? null : row.client_rto_ms / 1000),
    );
    perTarget(
      'redis_drill_last_lost_acked_writes',
      'Latest drill: acknowledged probe writes missing afterwards (the RPO, in writes).',
      (row) => row.lost_acked_writes,
    );
    new Gauge({
      name: 'redis_drill_queue_jobs',
      help: 'Jobs in the drill queue, by state.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) {
          this.set({ state }, counts[state] ?? 0);
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
}
