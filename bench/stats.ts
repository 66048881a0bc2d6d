/** Nearest-rank percentile of a sample; undefined for an empty one. */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

export const formatMs = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(0)} ms`);
