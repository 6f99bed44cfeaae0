/** Summary statistics of timing samples (ms). Percentiles by nearest rank, no interpolation. */

export interface Summary {
  runs: number;
  median: number;
  /** Nearest-rank 95th percentile; equal to `max` whenever runs < 20. */
  p95: number;
  /** True when p95 is the largest sample only because there are too few runs (runs < 20). */
  p95IsMax: boolean;
  mean: number;
  min: number;
  max: number;
}

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error('stats: no samples');
  return [...samples].sort((a, b) => a - b);
}

/** Middle value; the mean of the two middle values for an even count. */
export function median(samples: readonly number[]): number {
  const s = sorted(samples);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`stats: percentile ${p} outside (0, 100]`);
  const s = sorted(samples);
  return s[Math.ceil((p / 100) * s.length) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = sorted(samples);
  return {
    runs: s.length,
    median: median(s),
    p95: percentile(s, 95),
    p95IsMax: Math.ceil(0.95 * s.length) === s.length,
    mean: s.reduce((sum, v) => sum + v, 0) / s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}
