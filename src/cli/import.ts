/**
 * `p2pmarket import <format> …`: scenarios made from other tools' files. `import matpower`
 * turns a MATPOWER case file into a feeder scenario (src/import/matpower.ts).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, InputError } from '../errors.ts';
import { matpowerScenario, silenceExpectedWarnings } from '../import/matpower.ts';
import { readMatpowerCase } from '../import/matpower-case.ts';
import { readTextFile } from '../io/read.ts';
import { parseDecimal } from '../io/numbers.ts';
import { refuseExisting, writeNewFile } from '../output/new-file.ts';
import { scenarioJson } from '../output/scenario-json.ts';
import { parseScenario } from '../scenario/load.ts';

export interface ImportMatpowerOptions {
  out?: string;
  force?: boolean;
  dropUnsupported?: boolean;
  zeroImpedanceOhm?: number;
  name?: string;
  quiet?: boolean;
}

export function importMatpowerCommand(file: string, options: ImportMatpowerOptions): number {
  if (options.out !== undefined) refuseExisting(options.out, options.force, file);
  const text = readTextFile(file);
  const imported = matpowerScenario(readMatpowerCase(text, file), file, {
    dropUnsupported: options.dropUnsupported,
    zeroImpedanceOhm: options.zeroImpedanceOhm,
    name: options.name,
  });
  const schema = options.out && referencesSchema(options.out) ? { $schema: '../schema/scenario.schema.json', ...imported.scenario } : imported.scenario;
  // What is written must be a valid scenario (a check of the import itself); the warnings a
  // transmission-level case raises by its own values are silenced in it, once said here.
  const { scenario, note } = silenceExpectedWarnings(schema, parseScenario(schema, options.out ?? file));
  parseScenario(scenario, options.out ?? file);
  if (!options.quiet) {
    for (const warning of imported.warnings) process.stderr.write(`warning: ${file}: ${warning}\n`);
    if (note) process.stderr.write(`note: ${file}: ${note}\n`);
  }
  const json = scenarioJson(scenario);
  if (options.out === undefined) {
    process.stdout.write(json);
    return ExitCode.ok;
  }
  writeNewFile(options.out, json, { overwrite: options.force });
  if (!options.quiet) {
    const { network } = imported.scenario;
    const loadKw = network.loads!.reduce((s, l) => s - l.injectionKw, 0);
    const open = imported.openBranches;
    process.stdout.write(
      `wrote ${options.out}: "${imported.scenario.name}", ${network.buses.length} buses, ${network.lines.length} lines, ` +
        `${network.loads!.length} fixed loads (${Number(loadKw.toFixed(3))} kW), slack bus ${network.slack} at ${network.slackVoltagePu} p.u., ${network.baseKv} kV` +
        (open.length > 0 ? `; normally-open branches dropped: ${open.slice(0, 10).join(', ')}${open.length > 10 ? `, … (${open.length} in all)` : ''}` : '') +
        '\n',
    );
  }
  return ExitCode.ok;
}

/** A file in a project's scenarios/ folder, beside its schema/, names the committed JSON Schema (as the bundled scenarios do). */
function referencesSchema(out: string): boolean {
  const dir = dirname(resolve(out));
  return basename(dir) === 'scenarios' && existsSync(join(dir, '..', 'schema', 'scenario.schema.json'));
}


