/**
 * Energy-conserving resampling: a series of mean values over equal, consecutive intervals
 * (interval i covers [s + i·Δ, s + (i+1)·Δ)) gives, for each step k of a scenario
 * ([t₀ + k·h, t₀ + (k+1)·h)), the mean of the piecewise-constant series over the step:
 *
 *   x̄ₖ = (1/h) · Σᵢ vᵢ · |[s + i·Δ, s + (i+1)·Δ) ∩ [t₀ + k·h, t₀ + (k+1)·h)|
 *
 * — the time-weighted mean, so that the energy of every step (x̄ₖ·h) is the data's energy over
 * it. This holds whatever h and Δ: steps longer than the data's intervals average several of
 * them, shorter ones repeat the interval's mean, and misaligned steps split the intervals that
 * straddle their bounds by the length of the overlap. All times are whole milliseconds, so the
 * overlaps are exact.
 */

/** Mean values over consecutive intervals of one length. */
export interface IntervalSeries {
  /** UTC milliseconds of the start of interval 0. */
  startMs: number;
  /** Length of every interval, ms. */
  intervalMs: number;
  /** The mean value over each interval. */
  values: ArrayLike<number>;
}

/** The time span a series covers: [fromMs, toMs). */
export function seriesSpan(series: IntervalSeries): { fromMs: number; toMs: number } {
  return { fromMs: series.startMs, toMs: series.startMs + series.values.length * series.intervalMs };
}

/** Whether the series covers the steps [firstStepMs, firstStepMs + steps·stepMs). */
export function covers(series: IntervalSeries, firstStepMs: number, stepMs: number, steps: number): boolean {
  const { fromMs, toMs } = seriesSpan(series);
  return fromMs <= firstStepMs && firstStepMs + steps * stepMs <= toMs;
}

/**
 * The mean of the series over each of `steps` steps of `stepMs` from `firstStepMs` (see the
 * module comment). The series must cover them (`covers`).
 */
export function resampleMeans(series: IntervalSeries, firstStepMs: number, stepMs: number, steps: number): number[] {
  if (!covers(series, firstStepMs, stepMs, steps)) throw new RangeError('resampleMeans: the series does not cover the steps');
  const { startMs, intervalMs, values } = series;
  const means = new Array<number>(steps);
  // i: the interval holding the current position; it only moves forward.
  let i = Math.floor((firstStepMs - startMs) / intervalMs);
  for (let k = 0; k < steps; k++) {
    const a = firstStepMs + k * stepMs;
    const b = a + stepMs;
    while (startMs + (i + 1) * intervalMs <= a) i++;
    if (b <= startMs + (i + 1) * intervalMs) {
      means[k] = values[i]!; // the step lies within one interval: its mean, exactly
      continue;
    }
    let sum = 0;
    for (let j = i; startMs + j * intervalMs < b; j++) {
      const from = Math.max(a, startMs + j * intervalMs);
      const to = Math.min(b, startMs + (j + 1) * intervalMs);
      sum += values[j]! * (to - from);
    }
    means[k] = sum / stepMs;
  }
  return means;
}
