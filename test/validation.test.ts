/** Scenario validation in process (the command-line cases are in cli.test.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

const seed = (): ScenarioInput => JSON.parse(readFileSync('scenarios/seed-time-horizons.json', 'utf8'));

function problemsOf(change: (s: ScenarioInput) => void): string[] {
  const s = seed();
  change(s);
  try {
    parseScenario(s, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('scenario validation', () => {
  it('accepts the bundled scenarios', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
    for (const file of readdirSync('scenarios')) {
      const text = JSON.parse(readFileSync(`scenarios/${file}`, 'utf8'));
      if (!('network' in text)) continue; // a sweep file
      expect(() => parseScenario(text, file, { baseDir: 'scenarios' }), file).not.toThrow(); // profiles are relative to the scenario's folder
    }
  });

  it.each([
    ['a name that would escape the output folder', (s: ScenarioInput) => void (s.name = '..'), /^name: .*not starting with "\."/],
    ['a magnitude no unit explains', (s: ScenarioInput) => void (s.prosumers[0]!.maxInjectionKw = 1e200), /^prosumers\[0\]\.maxInjectionKw: must lie within ±1000000000/],
    ['a window longer than the scenario', (s: ScenarioInput) => void (s.horizonSteps = 7), /^horizonSteps: a window of 7 steps is longer/],
    ['a realised schedule of the wrong length', (s: ScenarioInput) => void (s.prosumers[1]!.realisedKw = [1, 2]), /^prosumers\[1\]\.realisedKw: has 2 entries but the scenario has 6 steps/],
    ['a forecast revision beyond the horizon', (s: ScenarioInput) => void (s.prosumers[0]!.forecastUpdates = [{ atHour: 0, fromStep: 5, scheduleKw: [1, 2] }]), /^prosumers\[0\]\.forecastUpdates\[0\]: revises steps 5–6/],
    ['a request for a step that does not exist', (s: ScenarioInput) => void (s.utility.requestEvents = [{ atHour: 0, step: 6, targetKw: 1, priority: 1 }]), /^utility\.requestEvents\[0\]\.step: step 6 is beyond/],
    ['an unknown horizon end', (s: ScenarioInput) => void ((s as Record<string, unknown>).horizonEnd = 'wrap'), /^horizonEnd: /],
    ['the utility away from the slack', (s: ScenarioInput) => void (s.utility.bus = '2'), /^utility\.bus: the utility must sit at the slack bus "0"/],
    ['a load at an unknown bus', (s: ScenarioInput) => void (s.network.loads = [{ bus: '7', injectionKw: -5 }]), /^network\.loads\[0\]\.bus: unknown bus "7"/],
    ['a load profile of the wrong length', (s: ScenarioInput) => void (s.network.loads = [{ bus: '1', injectionKw: -5, profile: [1, 1] }]), /^network\.loads\[0\]\.profile: has 2 entries but the scenario has 6 steps/],
    ['a feeder load profile of the wrong length', (s: ScenarioInput) => void (s.network.loadProfile = [1]), /^network\.loadProfile: has 1 entries/],
    ['a load with a misspelt field', (s: ScenarioInput) => void (s.network.loads = [{ bus: '1', loadKw: 5 } as never]), /^network\.loads\[0\]/],
    ['an unknown LinDistFlow form', (s: ScenarioInput) => void ((s.network as Record<string, unknown>).linearForm = 'fast'), /^network\.linearForm: /],
    ['a negative hop count', (s: ScenarioInput) => void (s.market = { ...s.market, tradeGraph: { maxHops: -1 } }), /^market\.tradeGraph/],
    ['a prosumer named like the pool of a pool market', (s: ScenarioInput) => {
      s.prosumers[0]!.id = 'pool';
      s.market = { ...s.market, tradeGraph: 'pool' };
    }, /^prosumers\[0\]\.id: "pool" is reserved for the community pool/],
  ])('rejects %s, naming the field', (_name, change, expected) => {
    const problems = problemsOf(change);
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
  });

  it('reports every cross-field problem of a file at once', () => {
    const problems = problemsOf((s) => {
      s.prosumers[0]!.battery!.initialKwh = 13;
      s.prosumers[1]!.bus = '9';
      s.prosumers[2]!.scheduleKw.pop();
    });
    expect(problems).toHaveLength(3);
  });
});
