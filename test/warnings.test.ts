/**
 * Warnings for unit slips (src/scenario/warnings.ts), from the scenario alone: the household
 * slip the first trial missed (the starter's 6 kW rooftop typed in watts), the field the user
 * wrote named (pvKw, not the derived scheduleKw), and none on any bundled scenario.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterScenario } from '../src/cli/init.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { largestPlausibleKw, scenarioWarnings } from '../src/scenario/warnings.ts';

const ROOT = join(import.meta.dirname, '..');

describe('large-power', () => {
  it('warns of a household PV typed in watts, naming pvKw and its step', () => {
    const starter = starterScenario() as { prosumers: { pvKw?: number[] }[] };
    expect(scenarioWarnings(parseScenario(structuredClone(starter)))).toEqual([]);
    const watts = structuredClone(starter);
    watts.prosumers[0]!.pvKw = watts.prosumers[0]!.pvKw!.map((kw) => kw * 1000);
    const warnings = scenarioWarnings(parseScenario(watts));
    expect(warnings.map((w) => w.id)).toEqual(['large-power']);
    expect(warnings[0]!.path).toBe('prosumers[0].pvKw[12]');
    expect(warnings[0]!.message).toMatch(/^6,000 kW at one prosumer of a 0\.4 kV feeder, above the 1,000 kW/);
  });

  it('scales with the feeder: 1,000 kW at low voltage, 50,000 kW at medium', () => {
    expect(largestPlausibleKw(0.4)).toBe(1_000);
    expect(largestPlausibleKw(12.66)).toBe(50_000);
    expect(largestPlausibleKw(110)).toBe(100_000);
  });

  it('names a battery sized in watt-hours', () => {
    const starter = starterScenario() as { prosumers: { battery?: { maxKwh: number; initialKwh: number; minKwh: number } }[] };
    const k = starter.prosumers.findIndex((p) => p.battery);
    const battery = starter.prosumers[k]!.battery!;
    battery.maxKwh *= 1000;
    expect(scenarioWarnings(parseScenario(starter)).map((w) => w.path)).toEqual([`prosumers[${k}].battery.maxKwh`]);
  });

  it('is silent on every bundled scenario', () => {
    for (const file of readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json') && !/sweep|constraint-sweep/.test(f))) {
      let scenario;
      try {
        scenario = loadScenario(join(ROOT, 'scenarios', file));
      } catch {
        continue; // not a scenario (a sweep definition)
      }
      expect(scenarioWarnings(scenario).filter((w) => w.id === 'large-power'), file).toEqual([]);
    }
  });
});
