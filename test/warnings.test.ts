/**
 * Warnings for unit slips (src/scenario/warnings.ts), from the scenario alone: the household
 * slip the first trial missed (the starter's 6 kW rooftop typed in watts), the field the user
 * wrote named (pvKw, not the derived scheduleKw), and none on any bundled scenario.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterScenario } from '../src/cli/init.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { loadRequests } from '../src/scenario/requests.ts';
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
      expect(scenarioWarnings(scenario).filter((w) => w.id === 'large-power' || w.id === 'late-event'), file).toEqual([]);
    }
  });
});

describe('late-event', () => {
  const starter = () => starterScenario() as Record<string, unknown> & { utility: Record<string, unknown>; prosumers: Record<string, unknown>[] };

  it('warns of a request issued after its step started, not of one issued at its start', () => {
    const s = starter();
    s.utility.requestEvents = [
      { atHour: 3, step: 3, targetKw: 1, priority: 1 },
      { atHour: 100, step: 5, targetKw: 1, priority: 1 },
      { atHour: 6, step: 4, targetKw: 1, priority: 1 },
    ];
    const warnings = scenarioWarnings(parseScenario(s));
    expect(warnings.map((w) => [w.id, w.path])).toEqual([['late-event', 'utility.requestEvents[1].atHour']]);
    expect(warnings[0]!.message).toBe('a request for step 5 issued at hour 100, after the step started (hour 5): it cannot change that step (and 1 more such event)');
    s.ignoreWarnings = ['late-event'];
    expect(scenarioWarnings(parseScenario(s))).toEqual([]);
  });

  it('warns of a forecast update after the steps it revises started, saying which', () => {
    const s = starter();
    s.prosumers[0]!.forecastUpdates = [{ atHour: 10.5, fromStep: 8, scheduleKw: [1, 1, 1, 1, 1] }];
    const [warning] = scenarioWarnings(parseScenario(s));
    expect(warning!.path).toBe('prosumers[0].forecastUpdates[0].atHour');
    expect(warning!.message).toBe('a forecast update at hour 10.5, when steps 8–10 of the 8–12 it revises have started: their forecast stays as it was');
    s.prosumers[0]!.forecastUpdates = [{ atHour: 40, fromStep: 20, scheduleKw: [1, 1] }];
    expect(scenarioWarnings(parseScenario(s))[0]!.message).toMatch(/^a forecast update at hour 40, when every step it revises has started/);
  });

  it("replay's requests file: each late row, by line", () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2p-late-'));
    const file = join(dir, 'requests.csv');
    writeFileSync(file, 'simHour,step,targetKw,priority\n0,2,5,1\n\n4,0,5,1\n');
    const heard: string[] = [];
    const requests = loadRequests(file, parseScenario(starter()), (w) => heard.push(w));
    expect(requests).toHaveLength(2);
    expect(heard).toEqual([`warning: ${file}: line 4: a request for step 0 issued at hour 4, after the step started (hour 0): it cannot change that step`]);
  });
});
