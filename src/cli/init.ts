/**
 * `p2pmarket init [file]`: a starting scenario to edit — a small feeder with two prosumers (one
 * with PV and a battery), a tariff and small bids, a day of hourly steps. JSON has no comments,
 * so its `description` says what to edit first. It validates and clears as it is.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, InputError } from '../errors.ts';
import { NAME_PATTERN, NAME_RULE } from '../scenario/schema.ts';
import { writeNewFile } from '../output/new-file.ts';

const day = (f: (h: number) => number) => Array.from({ length: 24 }, (_, h) => Math.round(f(h) * 100) / 100);
const sun = (h: number) => (h >= 6 && h < 19 ? Math.sin((Math.PI * (h + 0.5 - 6)) / 13) : 0);
const evening = (h: number) => 0.4 + 0.6 * Math.exp(-(((h - 19) / 3) ** 2)) + 0.3 * Math.exp(-(((h - 8) / 2) ** 2));

/** The scenario; `schemaPath` (the package's JSON Schema, relative to the file) lets editors check it as it is typed. */
export function starterScenario(name = 'my-feeder', schemaPath?: string): Record<string, unknown> {
  return {
    ...(schemaPath ? { $schema: schemaPath } : {}),
    name,
    description:
      'A starting scenario (p2pmarket init). Edit first: network.buses and network.lines (your feeder: rOhm and xOhm in ohms, maxKw the line limits), ' +
      'then prosumers (their bus; pvKw and loadKw per hour, kW, or profiles from CSV files; battery sizes in kWh and kW), then utility.tariff ' +
      '(currency per kWh) and the bids (costBid). Injection into the network is positive. Check with: p2pmarket validate <this file>; run: p2pmarket clear <this file>.',
    steps: 24,
    stepHours: 1,
    network: {
      baseKv: 0.4,
      baseKva: 100,
      vMinPu: 0.95,
      vMaxPu: 1.05,
      slack: 'substation',
      buses: ['substation', 'house1', 'house2'],
      lines: [
        { from: 'substation', to: 'house1', rOhm: 0.05, xOhm: 0.02, maxKw: 60 },
        { from: 'house1', to: 'house2', rOhm: 0.04, xOhm: 0.015, maxKw: 40 },
      ],
    },
    utility: { bus: 'substation', tariff: { buyPerKwh: 0.08, sellPerKwh: 0.3 } },
    prosumers: [
      {
        id: 'solar-home',
        bus: 'house1',
        pvKw: day((h) => 6 * sun(h)),
        loadKw: day((h) => 1.2 * evening(h)),
        battery: { initialKwh: 5, minKwh: 1, maxKwh: 10, maxChargeKw: 4, maxDischargeKw: 4, chargeEfficiency: 0.95, dischargeEfficiency: 0.95 },
        costBid: { quadraticPerKw2h: 0.01 },
      },
      {
        id: 'neighbour',
        bus: 'house2',
        loadKw: day((h) => 1.5 * evening(h)),
        costBid: { quadraticPerKw2h: 0.01 },
      },
    ],
    market: { tradeVolumeWeight: 0 },
  };
}

export function initCommand(file: string | undefined, options: { force?: boolean; name?: string; quiet?: boolean }): number {
  const out = file ?? 'scenario.json';
  // The name becomes the output folder's: checked as the scenario's field is, before anything is written.
  if (options.name !== undefined && !NAME_PATTERN.test(options.name)) {
    throw new InputError('command line', [
      { path: '--name', message: `"${options.name.slice(0, 60)}" cannot name a scenario: ${NAME_RULE}` },
    ]);
  }
  const schema = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));
  const schemaPath = existsSync(schema) ? relative(dirname(resolve(out)), schema).split(sep).join('/') : undefined;
  writeNewFile(out, JSON.stringify(starterScenario(options.name, schemaPath), null, 2) + '\n', { overwrite: options.force });
  if (!options.quiet) process.stdout.write(`wrote ${out}: a 3-bus feeder, two prosumers (PV, a battery), a tariff; edit it (its description says where to start), then: p2pmarket clear ${out}\n`);
  return ExitCode.ok;
}
