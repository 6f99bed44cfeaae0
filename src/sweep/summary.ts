/**
 * Statistics of a stochastic sweep: for every parameter point and metric, over the n samples that
 * were cleared, the mean x̄, the sample standard deviation s = √(Σ(x − x̄)² / (n − 1)), the Monte
 * Carlo standard error of the mean s/√n (the samples being independent draws: about 68 % of
 * repeated sweeps' means lie within one of it of the true mean, 95 % within two; halving it
 * takes four times the samples), and the 5th, 50th and 95th percentiles (linear interpolation
 * between order statistics, as numpy's default).
 */

export interface Statistics {
  samples: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for one sample. */
  std: number;
  /** Monte Carlo standard error of the mean, std/√n; NaN below two samples (nothing says how far the mean may be off). */
  stdErrorOfMean: number;
  p5: number;
  p50: number;
  p95: number;
}

export function statistics(values: readonly number[]): Statistics {
  const n = values.length;
  if (n === 0) return { samples: 0, mean: NaN, std: NaN, stdErrorOfMean: NaN, p5: NaN, p50: NaN, p95: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const quantile = (q: number) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    return sorted[lo]! + (h - lo) * (sorted[Math.min(n - 1, lo + 1)]! - sorted[lo]!);
  };
  const stdErrorOfMean = n > 1 ? std / Math.sqrt(n) : NaN;
  return { samples: n, mean, std, stdErrorOfMean, p5: quantile(0.05), p50: quantile(0.5), p95: quantile(0.95) };
}
