import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { STEP_NAMES, type StepName } from '../drills/scenarios.js';
import { DrillSummaryReader, type OutcomeCounts, type RequestWindow, type StepCounts } from '../drills/drill-summary.reader.js';
import { DrillEventReader } from '../events/drill-event.reader.js';
import type { OutcomeStatsDto, StepStatsQueryDto, StepStatsReportDto } from './step-stats.dto.js';

const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** A report is reused while no event has been appended, for at most this long. */
const CACHE_TTL_MS = 5_000;
const CACHE_ENTRIES = 64;

/**
 * Count, success rate and min / p50 / p95 / max duration per step and for whole drills, over the
 * drills requested in a window. Percentiles are exact nearest-rank values, read by offset from
 * indexes sorted by duration, so that nothing is sorted or copied row by row per request.
 */
@Injectable()
export class StepStats {
  private readonly cache = new Map<string, { position: number; computedAt: number; report: StepStatsReportDto }>();

  constructor(
    @Inject(DrillSummaryReader) private readonly summaries: DrillSummaryReader,
    @Inject(DrillEventReader) private readonly events: DrillEventReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(query: StepStatsQueryDto): Promise<StepStatsReportDto> {
    const key = JSON.stringify([query.from ?? null, query.to ?? null, query.target ?? null]);
    const position = await this.events.headPosition();
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.position === position && now - cached.computedAt < CACHE_TTL_MS) {
      return cached.report;
    }
    const report = await this.compute(query, now);
    this.cache.delete(key);
    this.cache.set(key, { position, computedAt: now, report });
    if (this.cache.size > CACHE_ENTRIES) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return report;
  }

  /** The report straight from the tables, bypassing the cache. */
  async compute(query: StepStatsQueryDto, now = this.clock.now()): Promise<StepStatsReportDto> {
    const to = query.to === undefined ? new Date(now) : new Date(query.to);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS) : new Date(query.from);
    if (from > to) {
      throw new BadRequestException('from must not be later than to');
    }
    const window: RequestWindow = { from: from.toISOString(), to: to.toISOString(), target: query.target ?? null };
    const drills = await this.summaries.drillCounts(window);
    const steps = stepOutcomes(await this.summaries.stepCounts(window));
    return {
      from: window.from,
      to: window.to,
      ...(query.target ? { target: query.target } : {}),
      drills: await outcome(drills, (rank, fromTop) => this.summaries.drillDurationAt(window, rank, fromTop ? 'DESC' : 'ASC')),
      steps: await Promise.all(
        steps.map(async (row) => ({
          name: row.name as StepName,
          ...(await outcome(row, (rank, fromTop) => this.summaries.stepDurationAt(window, row.name, rank, fromTop ? 'DESC' : 'ASC'))),
        })),
      ),
    };
  }
}

/** One outcome per step, in plan order, from the counts per step and status. */
function stepOutcomes(rows: readonly StepCounts[]): OutcomeCounts[] {
  const byName = new Map<string, OutcomeCounts>();
  for (const row of rows) {
    const outcome = byName.get(row.name) ?? { name: row.name, finished: 0, succeeded: 0, min: null, max: null };
    outcome.finished += row.runs;
    if (row.status === 'succeeded') {
      Object.assign(outcome, { succeeded: row.runs, min: row.min, max: row.max });
    }
    byName.set(row.name, outcome);
  }
  const order = (name: string) => STEP_NAMES.indexOf(name as StepName);
  return [...byName.values()].sort((left, right) => order(left.name) - order(right.name));
}

/**
 * Rates the outcomes and picks the nearest-rank percentiles of the successful durations. A rank in
 * the upper half is read from the top of the index, so that no percentile walks more than half of it.
 */
async function outcome(
  row: OutcomeCounts,
  durationAt: (offset: number, fromTop: boolean) => Promise<number | undefined>,
): Promise<OutcomeStatsDto> {
  const succeeded = row.succeeded ?? 0;
  const rank = async (fraction: number) => {
    const index = Math.max(0, Math.ceil(fraction * succeeded) - 1);
    return index < succeeded / 2 ? durationAt(index, false) : durationAt(succeeded - 1 - index, true);
  };
  return {
    count: row.finished,
    successRate: row.finished === 0 ? 0 : succeeded / row.finished,
    ...(succeeded > 0 && row.min !== null && row.max !== null
      ? { durationMs: { min: row.min, p50: (await rank(0.5))!, p95: (await rank(0.95))!, max: row.max } }
      : {}),
  };
}
