import { formatMs, median, percentile } from './stats.js';

/** How a table shows one figure; `-` where there is none. */
export type Format = (value: number | undefined) => string;

export const formatCount: Format = (value) => (value === undefined ? '-' : String(value));

/** One column of a distribution table: its heading and the figure it takes from a sample. */
export interface Statistic {
  readonly heading: string;
  readonly of: (sample: readonly number[]) => number | undefined;
}

export const MEDIAN: Statistic = { heading: 'median', of: median };
export const MIN: Statistic = { heading: 'min', of: (sample) => (sample.length ? Math.min(...sample) : undefined) };
export const MAX: Statistic = { heading: 'max', of: (sample) => (sample.length ? Math.max(...sample) : undefined) };
/** The nearest-rank percentile, headed `p95` for 0.95. */
export const tail = (fraction: number): Statistic => ({
  heading: `p${Math.round(fraction * 100)}`,
  of: (sample) => percentile(sample, fraction),
});

/** One row of a distribution table: what was measured, every run's figure, and how to show it (milliseconds unless told). */
export interface Measure {
  readonly name: string;
  readonly sample: readonly number[];
  readonly format?: Format;
}

/** A Markdown table with a row per measure and a column per statistic; `firstHeading` heads the names. */
export function distributionTable(firstHeading: string, statistics: readonly Statistic[], measures: readonly Measure[]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    row([firstHeading, ...statistics.map((statistic) => statistic.heading)]),
    `|${'---|'.repeat(statistics.length + 1)}`,
    ...measures.map(({ name, sample, format = formatMs }) => row([name, ...statistics.map((statistic) => format(statistic.of(sample)))])),
  ].join('\n');
}
