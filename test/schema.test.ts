/**
 * The JSON Schema of scenario files (`p2pmarket schema`, committed as
 * schema/scenario.schema.json for the bundled scenarios' "$schema"): checked with an
 * independent validator (ajv), it accepts every bundled scenario and rejects broken ones.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../src/scenario/json-schema.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-schema-');
const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8'));
const scenarioFiles = readdirSync(join(ROOT, 'scenarios'))
  .map((f) => join(ROOT, 'scenarios', f))
  .filter((f) => 'network' in JSON.parse(readFileSync(f, 'utf8')));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);
const seed = () => JSON.parse(readFileSync(join(ROOT, 'scenarios', 'seed-4node.json'), 'utf8'));

describe('the scenario JSON Schema', () => {
  it('is the committed one (regenerate with: npx p2pmarket schema > schema/scenario.schema.json)', () => {
    expect(scenarioJsonSchema()).toEqual(committed);
  });

  it('accepts every bundled scenario, which all reference it', () => {
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(6);
    for (const file of scenarioFiles) {
      const scenario = JSON.parse(readFileSync(file, 'utf8'));
      expect(validate(scenario), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(scenario.$schema, file).toBe('../schema/scenario.schema.json');
    }
  });

  it.each([
    ['a misspelt field', (s: Record<string, any>) => void (s.prosumers[0].batery = s.prosumers[0].battery), 'additionalProperties'],
    ['a missing field', (s: Record<string, any>) => void delete s.network.baseKv, 'required'],
    ['a string for a number', (s: Record<string, any>) => void (s.stepHours = '4'), 'type'],
    ['a negative capacity', (s: Record<string, any>) => void (s.prosumers[0].battery.maxKwh = -1), 'minimum'],
    ['an unknown trade graph', (s: Record<string, any>) => void (s.market.tradeGraph = 'ring'), 'anyOf'],
  ])('rejects %s', (_name, change, keyword) => {
    const scenario = seed();
    change(scenario);
    expect(validate(scenario)).toBe(false);
    expect(validate.errors!.map((e) => e.keyword)).toContain(keyword);
  });

  it.concurrent('is what `p2pmarket schema` prints; `validate` agrees with it', async () => {
    const dir = workDir('cli');
    const printed = await p2pmarket(['schema'], dir);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(committed);
    const ok = await p2pmarket(['validate', ...scenarioFiles, '--quiet'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    // Sweep files too, every point of them checked: the whole scenarios folder is valid.
    const all = readdirSync(join(ROOT, 'scenarios')).map((f) => join(ROOT, 'scenarios', f));
    const everything = await p2pmarket(['validate', ...all], dir);
    expect(everything.code, everything.stderr).toBe(0);
    expect(unwrap(everything.stdout)).toMatch(/node0-sweep-b\.json: valid sweep — "node0-sweep-b" over .*seed-node0-b\.json: 201 points × 1 sample = 201 clearings, every point valid/);
    writeFileSync(join(dir, 'bad-sweep.json'), JSON.stringify({ scenario: join(ROOT, 'scenarios', 'seed-node0.json'), parameters: [{ path: 'prosumers[0].battery.initialKwh', values: [1, 99] }] }));
    const badSweep = await p2pmarket(['validate', join(dir, 'bad-sweep.json')], dir);
    expect(badSweep.code).toBe(2);
    const broken = seed();
    broken.prosumers[0].batery = broken.prosumers[0].battery;
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const refused = await p2pmarket(['validate', join(dir, 'broken.json')], dir);
    expect(refused.code).toBe(2);
    expect(unwrap(refused.stderr)).toMatch(/broken\.json: prosumers\[0\]: unknown field "batery"/);
  });
});
