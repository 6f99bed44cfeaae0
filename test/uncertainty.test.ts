/**
 * Randomness as studies need it: forecast errors correlated in time (AR(1)) and between
 * prosumers (a common factor), PV and load errors apart and clipped, days drawn from the
 * profiles, and the Monte Carlo standard error of the sweep means.
 *
 * Statistical checks run on a fixed seed, so they are deterministic; their tolerances are four
 * standard errors of the estimate (stated with each), so that a correct generator passes them
 * on any seed with probability above 0.9999 and a wrong σ, φ or c fails them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { simulate } from '../src/engine/simulate.ts';
import { ar1Errors, forecastErrorParts, forecastErrors } from '../src/engine/uncertainty.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import type { Scenario } from '../src/scenario/validate.ts';
import { dayNumber, drawnDay } from '../src/sweep/perturb.ts';
import { loadSweep } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';
import { statistics } from '../src/sweep/summary.ts';

const ROOT = process.cwd();
const seedHorizons = (): ScenarioInput => JSON.parse(readFileSync('scenarios/seed-time-horizons.json', 'utf8'));

/** Today's function before this change, frozen: independent N(0, σ²) per prosumer and step. */
function frozenForecastErrors(scenario: Scenario, seed: number): number[][] {
  const sigma = scenario.forecastErrorStdKw;
  const rng = seedrandom(`p2pmarket-forecast-errors-${seed}`);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return scenario.prosumers.map((p) =>
    Array.from({ length: scenario.steps }, () => (sigma > 0 && !p.realisedKw ? Math.round(sigma * normal() * 1e6) / 1e6 : 0)),
  );
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('forecastErrorStdKw as before', () => {
  it('gives exactly the numbers of the frozen function, alone or as forecastError.stdKw, with a given realisation skipped', () => {
    const withRealised = seedHorizons();
    withRealised.prosumers[1]!.realisedKw = [...withRealised.prosumers[1]!.scheduleKw];
    for (const base of [seedHorizons(), withRealised]) {
      for (const seed of [1, 7, -3, 2 ** 31 - 1]) {
        const old = frozenForecastErrors(parseScenario({ ...base, forecastErrorStdKw: 0.8 }), seed);
        expect(old.flat().filter((e) => e !== 0).length).toBeGreaterThan(10);
        expect(forecastErrors(parseScenario({ ...base, forecastErrorStdKw: 0.8 }), seed)).toEqual(old);
        // toEqual treats −0 and 0 alike: the bytes of the numbers must match too.
        expect(JSON.stringify(forecastErrors(parseScenario({ ...base, forecastError: { stdKw: 0.8 } }), seed))).toBe(JSON.stringify(old));
      }
    }
    expect(forecastErrors(parseScenario(seedHorizons()), 1).flat().every((e) => e === 0)).toBe(true);
  });

  it('refuses both ways of giving the net σ at once', () => {
    expect(() => parseScenario({ ...seedHorizons(), forecastErrorStdKw: 0.5, forecastError: { autocorrelation: 0.5 } }, 'x.json')).toThrow(
      /x\.json: forecastErrorStdKw: 0\.5 kW beside forecastError: give the net error's σ in forecastError\.stdKw alone/,
    );
    expect(() => parseScenario({ ...seedHorizons(), forecastError: { stdKw: 1, autocorrelation: 1 } }, 'x.json')).toThrow(/forecastError\.autocorrelation: must lie strictly between −1 and 1/);
    expect(() => parseScenario({ ...seedHorizons(), forecastError: { stdKw: 1, commonShare: 1.5 } }, 'x.json')).toThrow(/forecastError\.commonShare/);
  });
});

describe('AR(1) errors', () => {
  const sigma = 0.7;
  const phi = 0.8;

  it('have standard deviation σ and lag-1 autocorrelation φ, pooled over many prosumers and steps', () => {
    const agents = 400;
    const steps = 250;
    const errors = ar1Errors(agents, steps, () => true, { stdKw: sigma, autocorrelation: phi, commonShare: 0 }, 'test-ar1', 11) as number[][];
    const all = errors.flat();
    const n = all.length;
    // The mean is known (0): s² = Σε²/n. For AR(1), Var(s²) ≈ 2σ⁴·(1 + φ²)/(1 − φ²)/n, so sd(s)/σ ≈ √((1 + φ²)/(1 − φ²)/(2n)).
    const s = Math.sqrt(all.reduce((acc, e) => acc + e * e, 0) / n);
    const sdOfS = sigma * Math.sqrt((1 + phi ** 2) / (1 - phi ** 2) / (2 * n));
    expect(sdOfS).toBeLessThan(0.004);
    expect(Math.abs(s - sigma)).toBeLessThan(4 * sdOfS);
    // r₁ = Σ ε_t·ε_{t−1} / Σ ε²; Bartlett: Var(r₁) ≈ (1 − φ²)/N over N pairs.
    let lagged = 0;
    let squares = 0;
    for (const e of errors) {
      for (let t = 1; t < steps; t++) lagged += e[t]! * e[t - 1]!;
      for (let t = 0; t < steps; t++) squares += e[t]! ** 2;
    }
    const r1 = lagged / squares;
    const sdOfR1 = Math.sqrt((1 - phi ** 2) / (agents * (steps - 1)));
    expect(Math.abs(r1 - phi)).toBeLessThan(4 * sdOfR1);
    // Not the white noise of before: a test that φ is applied at all.
    expect(r1).toBeGreaterThan(0.75);
  });

  it('start stationary: step 0 and the last step have σ, and steps 0 and 1 correlate by φ', () => {
    const agents = 20_000;
    const steps = 6;
    const errors = ar1Errors(agents, steps, () => true, { stdKw: sigma, autocorrelation: phi, commonShare: 0 }, 'test-ar1-start', 5) as number[][];
    const column = (t: number) => errors.map((e) => e[t]!);
    // Across independent prosumers: sd(s) ≈ σ/√(2n); sd(r) ≈ (1 − φ²)/√n.
    for (const t of [0, steps - 1]) {
      const s = Math.sqrt(mean(column(t).map((e) => e * e)));
      expect(Math.abs(s - sigma)).toBeLessThan(4 * (sigma / Math.sqrt(2 * agents)));
    }
    const [a, b] = [column(0), column(1)];
    const r = mean(a.map((x, i) => x * b[i]!)) / Math.sqrt(mean(a.map((x) => x * x)) * mean(b.map((x) => x * x)));
    expect(Math.abs(r - phi)).toBeLessThan(4 * ((1 - phi ** 2) / Math.sqrt(agents)));
  });

  it('correlate between prosumers by the common share c', () => {
    const agents = 10;
    const steps = 20_000;
    for (const c of [0, 0.3, 0.9]) {
      const errors = ar1Errors(agents, steps, () => true, { stdKw: sigma, autocorrelation: 0, commonShare: c }, 'test-common', 3) as number[][];
      // With S_t = Σ_i ε_t^i: E[S_t²] = σ²·(n + n(n − 1)·c), so ĉ = (ΣS_t²/Σε² − 1)/(n − 1).
      // S_t/σ has variance v = n²c + n(1 − c); mean(S_t²) has sd v·σ²·√(2/T), so sd(ĉ) ≈ v·√(2/T)/(n(n − 1)).
      let sumS2 = 0;
      let sumE2 = 0;
      for (let t = 0; t < steps; t++) {
        let s = 0;
        for (const e of errors) {
          s += e[t]!;
          sumE2 += e[t]! ** 2;
        }
        sumS2 += s * s;
      }
      const cHat = (sumS2 / sumE2 - 1) / (agents - 1);
      const v = agents ** 2 * c + agents * (1 - c);
      const sdOfC = (v * Math.sqrt(2 / steps)) / (agents * (agents - 1)) + 1 / Math.sqrt(steps * agents);
      expect(Math.abs(cHat - c)).toBeLessThan(4 * sdOfC);
    }
  });

  it('with φ and c together: the same σ and φ for each prosumer, and a pair correlated by c', () => {
    const errors = ar1Errors(2, 50_000, () => true, { stdKw: 2, autocorrelation: 0.5, commonShare: 0.6 }, 'test-both', 9) as number[][];
    const [a, b] = errors as [number[], number[]];
    const n = a.length;
    const corr = (x: number[], y: number[]) => mean(x.map((v, i) => v * y[i]!)) / Math.sqrt(mean(x.map((v) => v * v)) * mean(y.map((v) => v * v)));
    // Cross-correlation at lag 0 of two AR(1) series: Var(r) ≈ (1 − c²)²·(1 + φ²)/(1 − φ²)/n (Bartlett).
    expect(Math.abs(corr(a, b) - 0.6)).toBeLessThan(4 * Math.sqrt(((1 - 0.36) ** 2 * 1.25) / 0.75 / n));
    expect(Math.abs(corr(a.slice(1), a.slice(0, -1)) - 0.5)).toBeLessThan(4 * Math.sqrt(0.75 / n));
    expect(Math.abs(Math.sqrt(mean(a.map((v) => v * v))) - 2)).toBeLessThan(4 * 2 * Math.sqrt(1.25 / 0.75 / (2 * n)));
  });
});

describe('PV and load errors', () => {
  /** The seed's time horizons with PV and load apart (scheduleKw = pvKw − loadKw), p3 without them. */
  const split = (forecastError: object): ScenarioInput => {
    const s = seedHorizons() as unknown as Record<string, unknown> & { prosumers: Record<string, unknown>[] };
    s.prosumers[0] = { ...s.prosumers[0], scheduleKw: undefined, pvKw: [0, 0.5, 20, 19, 0, 0], loadKw: [2.8, 0.2, 2, 2.1, 1, 3], inverterKva: 20.1, reactiveKvar: 2 };
    s.prosumers[1] = { ...s.prosumers[1], scheduleKw: undefined, pvKw: [0.3, 0.4, 0.2, 0.1, 0, 0], loadKw: [0.1, 0.05, 0.2, 0.1, 0.3, 0.2] };
    delete s.prosumers[0]!.scheduleKw;
    delete s.prosumers[1]!.scheduleKw;
    return { ...s, forecastError } as unknown as ScenarioInput;
  };

  it('are drawn apart, applied to PV and to load, and clipped (PV within 0 and the inverter, none at night; load ≥ 0)', () => {
    let clippedPv = 0;
    let clippedLoad = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const scenario = parseScenario(split({ pvStdKw: 1.5, loadStdKw: 1, autocorrelation: 0.6 }));
      const parts = forecastErrorParts(scenario, seed);
      const totals = forecastErrors(scenario, seed);
      scenario.prosumers.forEach((p, i) => {
        const { netKw, pvKw, loadKw } = parts[i]!;
        expect(netKw.every((e) => e === 0)).toBe(true);
        if (!p.pvKw) expect(pvKw.every((e) => e === 0)).toBe(true);
        if (!p.loadKw) expect(loadKw.every((e) => e === 0)).toBe(true);
        p.pvKw?.forEach((pv, t) => {
          const realised = pv + pvKw[t]!;
          expect(realised).toBeGreaterThanOrEqual(0);
          expect(realised).toBeLessThanOrEqual(Math.sqrt(20.1 ** 2 - 2 ** 2) + 1e-12);
          if (pv === 0) expect(pvKw[t]).toBe(0);
          if (realised === 0 && pv > 0) clippedPv++;
        });
        p.loadKw?.forEach((load, t) => {
          expect(load + loadKw[t]!).toBeGreaterThanOrEqual(0);
          if (load + loadKw[t]! === 0) clippedLoad++;
        });
        // The net error: PV error minus load error (injection positive), rounded to 1e-6 kW.
        totals[i]!.forEach((e, t) => expect(e).toBeCloseTo(pvKw[t]! - loadKw[t]!, 6));
      });
      // PV and load have their own generators: equal σ would not make equal errors.
      expect(parts[1]!.pvKw.slice(0, 4)).not.toEqual(parts[1]!.loadKw.slice(0, 4));
    }
    expect(clippedPv).toBeGreaterThan(0);
    expect(clippedLoad).toBeGreaterThan(0);
  });

  it('leave the net errors alone (one generator per kind), and add to them', () => {
    const net = forecastErrorParts(parseScenario(split({ stdKw: 0.5 })), 4);
    const all = forecastErrorParts(parseScenario(split({ stdKw: 0.5, pvStdKw: 1, loadStdKw: 1 })), 4);
    expect(all.map((p) => p.netKw)).toEqual(net.map((p) => p.netKw));
    expect(all[0]!.pvKw.some((e) => e !== 0)).toBe(true);
    // p3 gives scheduleKw alone: only the net error reaches it.
    expect(all[2]!.netKw.some((e) => e !== 0)).toBe(true);
    expect(all[2]!.pvKw.every((e) => e === 0) && all[2]!.loadKw.every((e) => e === 0)).toBe(true);
  });

  it('are refused where no prosumer has PV or load to err on', () => {
    expect(() => parseScenario({ ...seedHorizons(), forecastError: { pvStdKw: 1 } }, 'x.json')).toThrow(/x\.json: forecastError\.pvStdKw: no prosumer without realisedKw gives pvKw/);
    expect(() => parseScenario({ ...seedHorizons(), forecastError: { loadStdKw: 1 } }, 'x.json')).toThrow(/forecastError\.loadStdKw: no prosumer without realisedKw gives loadKw/);
  });

  it('are what the simulation realises', async () => {
    const scenario = parseScenario(split({ stdKw: 0.3, pvStdKw: 1, loadStdKw: 0.5, autocorrelation: 0.7, commonShare: 0.4 }));
    const result = await simulate(scenario, { seed: 12 });
    const errors = forecastErrors(scenario, 12);
    for (const step of result.steps) step.agents.forEach((a, i) => expect(a.realisedKw - a.scheduleKw).toBeCloseTo(errors[i]![step.t]!, 6));
    const again = await simulate(parseScenario(split({ stdKw: 0.3, pvStdKw: 1, loadStdKw: 0.5, autocorrelation: 0.7, commonShare: 0.4 })), { seed: 12 });
    expect(again.steps).toEqual(result.steps);
  });
});

describe('days drawn from the profiles', () => {
  it('are reproducible by seed and sample, within the range, and uniform over it', () => {
    const range = { from: '2016-02-25', to: '2016-03-05' }; // 10 days across 29 February
    const days = Array.from({ length: 2000 }, (_, k) => drawnDay(range, 5, k));
    expect(Array.from({ length: 2000 }, (_, k) => drawnDay(range, 5, k))).toEqual(days);
    expect(Array.from({ length: 50 }, (_, k) => drawnDay(range, 6, k))).not.toEqual(days.slice(0, 50));
    const counts = new Map<string, number>();
    for (const d of days) counts.set(d, (counts.get(d) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['2016-02-25', '2016-02-26', '2016-02-27', '2016-02-28', '2016-02-29', '2016-03-01', '2016-03-02', '2016-03-03', '2016-03-04', '2016-03-05']);
    // Each count is binomial(2000, 1/10): 200 ± 4·√(2000·0.1·0.9) ≈ 200 ± 54.
    for (const n of counts.values()) expect(Math.abs(n - 200)).toBeLessThan(4 * Math.sqrt(2000 * 0.1 * 0.9));
    expect(drawnDay({ from: '2016-07-01', to: '2016-07-01' }, 1, 3)).toBe('2016-07-01');
    expect(dayNumber('2016-03-01') - dayNumber('2016-02-28')).toBe(2);
  });

  const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-days-'));
  /** seed-profiles.json cut to one day of hourly steps cleared in 4-hour windows, its profile files by absolute path. */
  const dayScenario = (): string => {
    const s = JSON.parse(readFileSync('scenarios/seed-profiles.json', 'utf8'));
    for (const p of Object.values(s.profiles) as { file: string }[]) p.file = resolve(ROOT, 'scenarios', p.file);
    s.start = '2016-06-06T06:00';
    s.steps = 24;
    s.horizonSteps = 4;
    delete s.$schema;
    const file = join(dir, 'day.json');
    writeFileSync(file, JSON.stringify(s));
    return file;
  };
  const sweepFile = (name: string, sweep: object) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ scenario: dayScenario(), mode: 'simulate', seed: 2, ...sweep }));
    return file;
  };

  it("move a sample's start to its drawn day (its time of day kept), and read its profiles there", () => {
    const drawDays = { from: '2016-03-01', to: '2016-10-31' };
    const plan = loadSweep(sweepFile('days.json', { samples: 5, perturbations: { drawDays } }));
    const starts = Array.from({ length: 5 }, (_, k) => plan.point(k).scenario.start);
    expect(starts).toEqual(Array.from({ length: 5 }, (_, k) => `${drawnDay(drawDays, 2, k)}T06:00`));
    expect(new Set(starts).size).toBeGreaterThan(1);
    for (const start of starts) expect(start! >= '2016-03-01' && start! <= '2016-10-31T23').toBe(true);
    // The point's series are the scenario's own, read on that day.
    const scenario = JSON.parse(readFileSync(dayScenario(), 'utf8'));
    const direct = (start: string) => {
      writeFileSync(join(dir, 'direct.json'), JSON.stringify({ ...scenario, start }));
      return loadScenario(join(dir, 'direct.json'));
    };
    const point = plan.point(3).scenario;
    const own = direct(point.start!);
    expect(point.prosumers.map((p) => p.loadKw)).toEqual(own.prosumers.map((p) => p.loadKw));
    expect(point.prosumers[0]!.pvKw).toEqual(own.prosumers[0]!.pvKw);
    expect(point.startHour).toBe(6);
    expect(point.prosumers[0]!.loadKw).not.toEqual(direct('2016-06-06T06:00').prosumers[0]!.loadKw);
    // The same sweep and seed draw the same.
    expect(loadSweep(sweepFile('days2.json', { samples: 5, perturbations: { drawDays } })).point(4)).toEqual(plan.point(4));
  });

  const problemOf = (name: string, sweep: object): string => {
    try {
      const plan = loadSweep(sweepFile(name, sweep));
      for (let run = 0; run < plan.size; run++) plan.point(run);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    }
    return '';
  };

  it('are refused beyond what the profiles cover, without a start or profiles, or in a malformed range', () => {
    // The household file holds 2016: a day starting on 31 December runs into 2017.
    expect(problemOf('late.json', { samples: 2, perturbations: { drawDays: { from: '2016-06-01', to: '2016-12-31' } } })).toMatch(
      /late\.json: point 0: perturbations\.drawDays\.to: starting on 2016-12-31, the scenario's profiles cannot be read: network\.loads\[0\]\.profile: profile "commercial" \(.*simbench-g0-commercial-2016\.csv\) covers 2016-01-01T00:00 to 2016-12-31T00:00 \(UTC-05:00\); the scenario needs 2016-12-31T06:00 to 2017-01-01T06:00/,
    );
    expect(problemOf('early.json', { samples: 2, perturbations: { drawDays: { from: '2015-12-01', to: '2016-01-31' } } })).toMatch(/perturbations\.drawDays\.from: starting on 2015-12-01/);
    const noProfiles = join(dir, 'horizons.json');
    writeFileSync(noProfiles, JSON.stringify(seedHorizons()));
    const plain = (name: string, scenario: object) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ scenario: noProfiles, samples: 2, perturbations: { drawDays: { from: '2016-01-01', to: '2016-01-02' } } }));
      writeFileSync(noProfiles, JSON.stringify(scenario));
      try {
        const plan = loadSweep(file);
        plan.point(0);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(plain('nostart.json', seedHorizons())).toMatch(/nostart\.json: point 0: start: perturbations\.drawDays draws the day of "start", which the scenario does not give/);
    expect(plain('noprofiles.json', { ...seedHorizons(), start: '2016-01-01T00:00' })).toMatch(/point 0: profiles: perturbations\.drawDays draws days of the profiles, and the scenario has none/);
    expect(problemOf('reversed.json', { samples: 2, perturbations: { drawDays: { from: '2016-06-02', to: '2016-06-01' } } })).toMatch(/perturbations\.drawDays\.to: 2016-06-01 is before "from" \(2016-06-02\)/);
    expect(problemOf('feb30.json', { samples: 2, perturbations: { drawDays: { from: '2016-02-30', to: '2016-03-01' } } })).toMatch(/perturbations\.drawDays\.from: "2016-02-30": day 30 does not exist in 2016-02/);
  });
});

describe('forecast errors in sweeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-fe-sweep-'));
  const sweepFile = (name: string, sweep: object, scenario: object = seedHorizons()) => {
    const scenarioFile = join(dir, `${name}-scenario.json`);
    writeFileSync(scenarioFile, JSON.stringify(scenario));
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ scenario: scenarioFile, mode: 'simulate', ...sweep }));
    return file;
  };

  it("set the scenario's forecastError (forecastErrorStdKw becoming its stdKw), and refuse a clash", () => {
    const plan = loadSweep(sweepFile('a.json', { samples: 2, perturbations: { forecastError: { autocorrelation: 0.9, commonShare: 0.5 } } }, { ...seedHorizons(), forecastErrorStdKw: 0.4 }));
    expect(plan.point(1).scenario.forecastError).toEqual({ stdKw: 0.4, pvStdKw: 0, loadStdKw: 0, autocorrelation: 0.9, commonShare: 0.5 });
    expect(plan.point(1).scenario.forecastErrorStdKw).toBe(0);
    const both = loadSweep(sweepFile('b.json', { samples: 2, perturbations: { forecastErrorStdKw: 0.6, forecastError: { autocorrelation: 0.5 } } }));
    expect(both.point(0).scenario.forecastError).toMatchObject({ stdKw: 0.6, autocorrelation: 0.5 });
    expect(() => loadSweep(sweepFile('c.json', { mode: 'clear', samples: 2, perturbations: { forecastError: { stdKw: 1 } } }))).toThrow(/perturbations\.forecastError: forecast errors are realised by the engine/);
    expect(() => loadSweep(sweepFile('d.json', { samples: 2, perturbations: { forecastErrorStdKw: 1, forecastError: { stdKw: 1 } } }))).toThrow(/perturbations\.forecastErrorStdKw: sets the net error's σ that forecastError\.stdKw also sets/);
    expect(() =>
      loadSweep(sweepFile('e.json', { samples: 2, parameters: [{ path: 'forecastError.autocorrelation', values: [0, 0.5] }], perturbations: { forecastError: { autocorrelation: 0.9 } } }, { ...seedHorizons(), forecastError: { stdKw: 1 } })),
    ).toThrow(/perturbations\.forecastError\.autocorrelation: is also swept by parameters\[0\]/);
    // A parameter may sweep a field the perturbation leaves alone (the scenario gives it: a parameter names a number of the scenario).
    const swept = loadSweep(sweepFile('f.json', { samples: 2, parameters: [{ path: 'forecastError.autocorrelation', values: [0, 0.5] }], perturbations: { forecastError: { commonShare: 0.2 } } }, { ...seedHorizons(), forecastError: { stdKw: 1, autocorrelation: 0 } }));
    expect(swept.point(3).scenario.forecastError).toMatchObject({ stdKw: 1, autocorrelation: 0.5, commonShare: 0.2 });
  });

  it('draw the same, and summarise the same, whatever the workers (1 or 2)', async () => {
    const { sweepFiles } = await import('../src/output/sweep-csv.ts');
    const sweep = { samples: 4, seed: 8, parameters: [{ path: 'utility.targetKw[4]', values: [30, 40] }], perturbations: { forecastError: { stdKw: 0.8, autocorrelation: 0.7, commonShare: 0.5 }, randomInitialSoc: true } };
    const plan = loadSweep(sweepFile('w.json', sweep));
    const one = sweepFiles(plan, await runSweep(plan, { workers: 1, chunkPoints: 2 }));
    const two = sweepFiles(plan, await runSweep(plan, { workers: 2, chunkPoints: 2 }));
    expect(two['steps.csv']).toBe(one['steps.csv']);
    expect(two['summary.csv']).toBe(one['summary.csv']);
    // Samples differ from each other, and sample k draws the same at both parameter points (common random numbers).
    const realised = async (run: number) => {
      const { scenario, simulationSeed } = plan.point(run);
      return forecastErrors(scenario, simulationSeed);
    };
    expect(await realised(1)).not.toEqual(await realised(0));
    expect(await realised(5)).toEqual(await realised(1));
    const again = loadSweep(sweepFile('w2.json', sweep));
    expect(again.point(6)).toEqual(plan.point(6));
  });

  it('draw days whatever the workers (1 or 2)', async () => {
    const { sweepFiles } = await import('../src/output/sweep-csv.ts');
    const s = JSON.parse(readFileSync('scenarios/seed-profiles.json', 'utf8'));
    for (const p of Object.values(s.profiles) as { file: string }[]) p.file = resolve(ROOT, 'scenarios', p.file);
    Object.assign(s, { steps: 8, horizonSteps: 4, start: '2016-01-01T08:00', forecastError: { pvStdKw: 0.5, loadStdKw: 0.3, autocorrelation: 0.6 } });
    delete s.$schema;
    const plan = loadSweep(sweepFile('days.json', { samples: 3, seed: 4, perturbations: { drawDays: { from: '2016-04-01', to: '2016-09-30' } } }, s));
    const one = sweepFiles(plan, await runSweep(plan, { workers: 1, chunkPoints: 1 }));
    const two = sweepFiles(plan, await runSweep(plan, { workers: 2, chunkPoints: 1 }));
    expect(two['steps.csv']).toBe(one['steps.csv']);
    expect(two['summary.csv']).toBe(one['summary.csv']);
    expect(new Set([0, 1, 2].map((k) => plan.point(k).scenario.start)).size).toBeGreaterThan(1);
  });
});

describe('the Monte Carlo standard error of the mean', () => {
  it('is std/√n, by hand', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, s² = 32/7, s/√8 = √(32/56) = √(4/7).
    const st = statistics([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(st.mean).toBe(5);
    expect(st.std).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(st.stdErrorOfMean).toBeCloseTo(Math.sqrt(4 / 7), 14);
    expect(st.stdErrorOfMean).toBeCloseTo(0.7559289460184544, 14);
    // One sample says nothing of how far its mean may be off; none, nothing at all.
    expect(statistics([3]).stdErrorOfMean).toBeNaN();
    expect(statistics([]).stdErrorOfMean).toBeNaN();
    expect(statistics([1, 1, 1, 1]).stdErrorOfMean).toBe(0);
  });

  it("is summary.csv's column after std, computed from the samples' own values", async () => {
    const { sweepFiles } = await import('../src/output/sweep-csv.ts');
    const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-sem-'));
    const file = join(dir, 'sem.json');
    writeFileSync(file, JSON.stringify({ scenario: resolve(ROOT, 'scenarios/seed-node0.json'), samples: 5, seed: 1, perturbations: { requestStdKw: 3 } }));
    const plan = loadSweep(file);
    const results = await runSweep(plan, { workers: 1 });
    const files = sweepFiles(plan, results);
    const [header, ...rows] = files['summary.csv']!.trim().split('\n');
    expect(header).toBe('point,metric,samples,mean,std,stdErrorOfMean,p5,p50,p95');
    const objective = rows.find((r) => r.split(',')[1] === 'objective')!.split(',').map(Number);
    // By hand from the five clearings' objectives.
    const values = results.map((r) => r.clearing!.objective!);
    const m = values.reduce((s, v) => s + v, 0) / 5;
    const s = Math.sqrt(values.reduce((acc, v) => acc + (v - m) ** 2, 0) / 4);
    expect(s).toBeGreaterThan(0);
    expect(objective[2]).toBe(5);
    expect(objective[5]).toBeCloseTo(s / Math.sqrt(5), 9);
    expect(objective[5]! / objective[4]!).toBeCloseTo(1 / Math.sqrt(5), 9);
  });
});
