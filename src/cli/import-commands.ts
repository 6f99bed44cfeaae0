/**
 * The `import` command group's registration: `import matpower` (import.ts) and `import profile`
 * (import-profile.ts), each module loaded when its command runs.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { parseDecimal } from '../io/numbers.ts';
import type { ImportMatpowerOptions } from './import.ts';

/** Adds the `import` command and its subcommands; `done` receives each action's exit code. */
export function addImportCommands(program: Command, done: (exitCode: number) => void): void {
  const group = program.command('import').description('Make a scenario from another tool\'s files (see "p2pmarket import <format> --help").');
  group
    .command('matpower')
    .description('Turn a MATPOWER case file (format version 2) of a radial feeder into a scenario.')
    .argument('<case.m>', 'MATPOWER case file')
    .option('-o, --out <file>', 'write the scenario to this file (default: print it on stdout)')
    .option('--force', 'overwrite an existing --out file')
    .option('--drop-unsupported', 'drop what the feeder model cannot carry (line charging, shunts, off-nominal taps, …) with a warning, instead of refusing the case')
    .option('--zero-impedance-ohm <ohm>', 'give branches with r = 0 or x = 0 this resistance or reactance (Ω) instead of refusing them', positiveOhm)
    .option('--name <name>', "the scenario's name (default: the case's name)")
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket import matpower data/matpower/case33bw.m --out my-feeder.json && p2pmarket powerflow my-feeder.json
  $ p2pmarket import matpower data/matpower/case18.m --drop-unsupported > case18.json

Reads the case's fields and evaluates the file's own unit conversions (never running it: any
other statement is refused, naming its line). Writes buses with their MATPOWER numbers, lines
(r, x in Ω) oriented from the slack, the loads as fixed loads (consumption negative), the
voltage limits and the slack's voltage; normally-open branches (status 0) are dropped and
listed in the description. Refused (exit 2, naming the field and the rows): a network that is
not one tree fed by one source (a loop, an island, a second source), and what the feeder model
cannot carry (line charging, bus shunts, off-nominal taps, phase shifts) unless
--drop-unsupported. An existing --out file is not overwritten without --force.`,
    )
    .action(async (file: string, options: ImportMatpowerOptions) => {
      done((await import('./import.ts')).importMatpowerCommand(file, options));
    });
  group
    .command('profile')
    .description('Expand a BDEW standard load profile (typical days per month and day type) into a calendar year of 15-minute powers, as CSV.')
    .argument('<table.csv>', 'BDEW table: header rows of months and day types (SA, FT, WT), 96 quarter-hour rows, kWh per 1,000,000 kWh/a')
    .requiredOption('--year <yyyy>', 'the calendar year to build')
    .requiredOption('--annual-kwh <kWh>', 'energy of the whole year, kWh')
    .option('--holidays <DE|none>', 'DE: nationwide German public holidays are Sundays (FT), 24 and 31 December Saturdays (SA)', 'none')
    .option('--dynamic', "multiply each day by BDEW's dynamisation factor (for H25, P25, S25 and H0; not G25, L25)")
    .option('-o, --out <file.csv>', 'write the CSV there (default: standard output)')
    .option('--force', 'overwrite --out if it exists')
    .option('--separator <char>', "the table's column separator", ',')
    .option('--decimal-mark <char>', "the table's decimal mark: . or ,", '.')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket import profile data/profiles/bdew-h25-household.csv --year 2016 --annual-kwh 3500 \\
      --dynamic --holidays DE --out h25-2016.csv
  $ p2pmarket import profile data/profiles/bdew-g25-commercial.csv --year 2017 --annual-kwh 50000 > g25-2017.csv

Day types come from the calendar: Saturday SA, Sunday FT, other days WT (with --holidays DE, a
public holiday FT and 24 and 31 December SA unless a Sunday). The year is scaled to hold
--annual-kwh exactly. The CSV has columns time (ISO 8601, local time, the start of each quarter
hour) and kw (mean power); reference it as a profile with "unit": "kW" and the "utcOffset" of
its local time. An existing --out is not overwritten without --force; the file is written whole
or not at all.`,
    )
    .action(async (table: string, options) => {
      done((await import('./import-profile.ts')).importProfileCommand(table, options));
    });
}


function positiveOhm(value: string): number {
  const ohm = parseDecimal(value);
  if (ohm === undefined || ohm <= 0) throw new InputError('command line', [{ path: '--zero-impedance-ohm', message: `"${value}" is not a positive number of Ω` }]);
  return ohm;
}
