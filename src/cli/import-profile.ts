/** `p2pmarket import profile <bdew.csv>`: a BDEW typical-day table → a calendar year's CSV profile. */
import { ExitCode, InputError } from '../errors.ts';
import { readTextFile } from '../io/read.ts';
import { parseDecimal, parseWholeNumber } from '../io/numbers.ts';
import { bdewYearCsv, bdewYearKw, parseBdewTable } from '../profiles/bdew.ts';
import { refuseExisting, writeNewFile } from '../output/new-file.ts';

export interface ImportProfileOptions {
  year: string;
  annualKwh: string;
  holidays: string;
  dynamic?: boolean;
  out?: string;
  force?: boolean;
  separator: string;
  decimalMark: string;
  quiet?: boolean;
}

const usage = (option: string, message: string): never => {
  throw new InputError('command line', [{ path: option, message }]);
};

export function importProfileCommand(file: string, options: ImportProfileOptions): number {
  const year = parseWholeNumber(options.year);
  if (year === undefined || year < 1000 || year > 9999) usage('--year', `"${options.year}" is not a year (1000–9999)`);
  const annualKwh = parseDecimal(options.annualKwh);
  if (annualKwh === undefined || annualKwh <= 0) usage('--annual-kwh', `"${options.annualKwh}" is not a positive number of kWh`);
  if (options.holidays !== 'DE' && options.holidays !== 'none') usage('--holidays', `"${options.holidays}" is not DE or none`);
  if (options.decimalMark !== '.' && options.decimalMark !== ',') usage('--decimal-mark', `"${options.decimalMark}" is not "." or ","`);
  if (options.separator.length !== 1 || options.separator === options.decimalMark) usage('--separator', `"${options.separator}" is not one character other than the decimal mark`);
  if (options.out !== undefined) refuseExisting(options.out, options.force, file);

  const table = parseBdewTable(readTextFile(file), file, { separator: options.separator, decimalMark: options.decimalMark as '.' | ',' });
  let kw: Float64Array;
  try {
    kw = bdewYearKw(table, { year: year!, annualKwh: annualKwh!, holidays: options.holidays as 'DE' | 'none', dynamic: options.dynamic ?? false });
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(file, [{ path: '', message: e.message }]);
    throw e;
  }
  const csv = bdewYearCsv(year!, kw);
  if (options.out === undefined) {
    process.stdout.write(csv);
    return ExitCode.ok;
  }
  writeNewFile(options.out, csv, { overwrite: options.force });
  if (!options.quiet) {
    process.stdout.write(
      `wrote ${options.out}: ${year}, ${kw.length} quarter hours (time = interval start, local time; kw = mean power), ${annualKwh} kWh in the year` +
        `${options.dynamic ? ', dynamised' : ''}${options.holidays === 'DE' ? ', German public holidays as Sundays, 24 and 31 December as Saturdays' : ''}\n`,
    );
  }
  return ExitCode.ok;
}
