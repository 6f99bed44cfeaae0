/**
 * The columns a sweep names in runs.csv and summary.csv — its parameters', its trace metrics'
 * and the metrics code adds — each checked to be a column of its own that numpy and pandas read
 * as written: not a built-in column of either file, not another parameter's or metric's, and
 * not a name numpy's `genfromtxt(names=True)` renames.
 */
import type { InputProblem } from '../errors.ts';
import { AC_METRICS, BUILTIN_METRICS } from './metrics.ts';

/** Letters, digits and "_", not starting with a digit, at most 64: what numpy and pandas keep. */
export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const COLUMN_NAME_RULE = 'use up to 64 letters, digits and "_", not starting with a digit (it names a column that numpy and pandas read unchanged)';

/** runs.csv's columns that are no parameter's or metric's of the sweep, with what each holds. */
export const RUNS_BUILTIN_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['run', "the run's number"],
  ['sample', "the sample's number"],
  ['status', "the run's status"],
  ['solveMs', "the run's solve time"],
  ...BUILTIN_METRICS.map((m) => [m, 'a metric'] as [string, string]),
  ...AC_METRICS.map((m) => [m, 'a metric of --ac-check'] as [string, string]),
]);

/** summary.csv's columns besides the parameters' (a metric is a row there, not a column). */
export const SUMMARY_BUILTIN_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['point', "the point's number"],
  ['metric', "the metric's name"],
  ['samples', 'the number of samples'],
  ['mean', "the samples' mean"],
  ['std', "the samples' standard deviation"],
  ['stdErrorOfMean', 'the standard error of the mean'],
  ['p5', 'the 5th percentile'],
  ['p50', 'the median'],
  ['p95', 'the 95th percentile'],
]);

/**
 * The names numpy's genfromtxt(names=True) renames, appending "_" (`NameValidator`'s
 * `defaultexcludelist` in numpy/lib/_iotools.py, numpy 1.x and 2.x alike; Python's keywords
 * are kept as they are).
 */
export const NUMPY_RENAMED: readonly string[] = ['return', 'file', 'print'];

/** A column a sweep names: a parameter's or a metric's. */
export interface NamedColumn {
  name: string;
  kind: 'parameter' | 'metric';
  /** Where the sweep says it: `parameters[0]`, `metrics[2]`. */
  at: string;
  /** The field a problem is reported at: its `name`, or its `path` when the name was made from the path. */
  field: string;
  /** The name was made from the parameter's path (no `name` was given). */
  fromPath?: boolean;
}

/** A name that is not taken (the column's name with its kind appended, within 64 characters). */
const suggestion = (name: string, kind: NamedColumn['kind']) => {
  const suffix = kind === 'parameter' ? 'Parameter' : 'Metric';
  return `${name.slice(0, 64 - suffix.length)}${suffix}`;
};

/**
 * Why `name` cannot be a column a sweep names (`other` are the columns named before it, by
 * name, with where each is said): undefined when it can.
 */
export function columnNameClash(name: string, kind: NamedColumn['kind'], other: ReadonlyMap<string, string>): string | undefined {
  if (!COLUMN_NAME.test(name)) return undefined; // the rule's own message
  const instead = `give the ${kind} another name, such as "${suggestion(name, kind)}"`;
  const builtin = RUNS_BUILTIN_COLUMNS.get(name);
  if (builtin) return `also a built-in column of runs.csv (${builtin}): ${instead}`;
  const summary = kind === 'parameter' ? SUMMARY_BUILTIN_COLUMNS.get(name) : undefined;
  if (summary) return `also a built-in column of summary.csv (${summary}): ${instead}`;
  if (NUMPY_RENAMED.includes(name)) return `renamed "${name}_" by numpy's genfromtxt(names=True) (it renames ${NUMPY_RENAMED.slice(0, -1).join(', ')} and ${NUMPY_RENAMED.at(-1)}): ${instead}`;
  const taken = other.get(name);
  if (taken) return `also the column of ${taken}: give each a name of its own`;
  return undefined;
}

/** The problems of the columns a sweep names, in its order (parameters first, then metrics). */
export function columnNameProblems(columns: readonly NamedColumn[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<string, string>();
  for (const c of columns) {
    const subject = c.fromPath ? `its column name "${c.name}" (made from its path; give it a "name")` : `"${c.name}"`;
    if (!COLUMN_NAME.test(c.name)) {
      problems.push({ path: c.field, message: `${subject}: ${COLUMN_NAME_RULE}` });
      continue;
    }
    const clash = columnNameClash(c.name, c.kind, seen);
    if (clash) problems.push({ path: c.field, message: `${subject} is ${clash}` });
    if (!seen.has(c.name)) seen.set(c.name, c.at);
  }
  return problems;
}

/**
 * A text numpy's genfromtxt(delimiter=',') and pandas read back as written: not empty, no comma,
 * quote, "#" (numpy's comment sign) or line break, no space at either end.
 */
const PLAIN_TEXT = /^[^\s,"#](?:[^,"#\r\n]*[^\s,"#])?$/;

/** A value as text without commas: an array's elements joined by spaces, an object's leaves as `key=value` joined by ";" (`a.b=1` nested). */
function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(valueText).join(' ');
  if (typeof value === 'object' && value !== null) {
    const leaves: string[] = [];
    const walk = (object: object, prefix: string) => {
      for (const [key, v] of Object.entries(object)) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) walk(v, `${prefix}${key}.`);
        else leaves.push(`${prefix}${key}=${valueText(v)}`);
      }
    };
    walk(value, '');
    return leaves.length === 0 ? '{}' : leaves.join(';');
  }
  return String(value);
}

/** A parameter's cells in runs.csv and summary.csv, and whether any is a label rather than the value itself. */
export interface ColumnCells {
  cells: (string | number | null)[];
  labelled: boolean;
}

/**
 * The cells a parameter's values are written as (one per value, in order), so that numpy's
 * genfromtxt(names=True, delimiter=',') reads every row: numbers, texts and booleans as they
 * are, null as an empty cell, arrays and objects as labels without commas (`maxHops=2`,
 * `perKwh=0.01;perKwhPerOhm=0.5`, `0 0 5 5`). When some text would not survive (a comma, a
 * quote, a "#", a line break, spaces at its ends, nothing) or two values would share a cell,
 * every value of the parameter is labelled by its position instead: `value0`, `value1`, …
 * (result.json maps labels back to values).
 */
export function columnCells(values: readonly unknown[]): ColumnCells {
  const cells = values.map((v): string | number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : valueText(v)));
  const fit = cells.every((c) => typeof c !== 'string' || PLAIN_TEXT.test(c));
  const valueOf = new Map<string, string>();
  const distinct = cells.every((c, k) => {
    const cell = c === null ? '' : String(c);
    const json = JSON.stringify(values[k]) ?? 'null';
    if (!valueOf.has(cell)) valueOf.set(cell, json);
    return valueOf.get(cell) === json;
  });
  if (!fit || !distinct) return { cells: values.map((_, k) => `value${k}`), labelled: true };
  return { cells, labelled: values.some((v) => typeof v === 'object' && v !== null) };
}
