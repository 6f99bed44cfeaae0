/**
 * The sizes p2pmarket accepts, chosen so that anything within them runs on the development
 * machine (2 cores, 24 GiB) without exhausting its memory: past a limit a command exits 2 at
 * once, with the size found, the limit and what to change — never a crash minutes later.
 * Larger machines raise them: `--limit name=value` on any command (repeatable), or the
 * environment variable `P2PMARKET_LIMITS="name=value,name=value"`; from code, `Limits` in the
 * options of the entry points.
 *
 * The model's size is estimated from the scenario before anything is built (problem/size.ts);
 * memory is estimated from its columns, rows and nonzeros with the figures measured by
 * `npm run bench` (about 112 MiB of Node and HiGHS, then the model).
 */
import { InputError } from '../errors.ts';
import { parseDecimal } from './numbers.ts';

export interface Limits {
  /** Bytes of any one input file (scenario, sweep, requests, profile). */
  fileBytes: number;
  /** Nesting depth of a JSON input (objects and arrays). */
  jsonDepth: number;
  /** Steps of a scenario: more than a leap year of 5-minute steps (105,408). */
  steps: number;
  /** Buses of a feeder. */
  buses: number;
  /** Prosumers of a scenario. */
  prosumers: number;
  /** Columns of one clearing problem (a window's, in a simulation). */
  columns: number;
  /** Rows of one clearing problem. */
  rows: number;
  /** Estimated memory of one clearing, MiB. */
  memoryMib: number;
  /** Rows of a run's largest trace (steps × agents, or × trades), over all runs of a sweep. */
  traceRows: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  fileBytes: 256 * 1024 * 1024,
  jsonDepth: 64,
  steps: 110_000,
  buses: 20_000,
  prosumers: 10_000,
  columns: 3_000_000,
  rows: 2_000_000,
  memoryMib: 8 * 1024,
  traceRows: 4_000_000,
});

/** What each limit is, for messages and `--help`. */
export const LIMIT_MEANING: Record<keyof Limits, string> = {
  fileBytes: 'bytes of one input file',
  jsonDepth: 'nesting depth of a JSON file',
  steps: 'steps of a scenario',
  buses: 'buses of a feeder',
  prosumers: 'prosumers of a scenario',
  columns: 'columns of one clearing problem',
  rows: 'rows of one clearing problem',
  memoryMib: 'estimated memory of one clearing, MiB',
  traceRows: 'rows of a trace file of one run',
};

/**
 * Limits with overrides: `entries` are `name=value` texts (from `--limit` or P2PMARKET_LIMITS,
 * comma-separated there); `where` names their origin in messages.
 */
export function parseLimits(entries: readonly string[], where: string, base: Readonly<Limits> = DEFAULT_LIMITS): Limits {
  const limits: Limits = { ...base };
  for (const entry of entries) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(entry);
    const name = m?.[1] as keyof Limits | undefined;
    if (!m || !name || !(name in DEFAULT_LIMITS)) {
      throw new InputError(where, [{ path: '--limit', message: `"${clip(entry)}" is not name=value with a name among ${Object.keys(DEFAULT_LIMITS).join(', ')}` }]);
    }
    const value = parseDecimal(m[2]!);
    if (value === undefined || value <= 0) throw new InputError(where, [{ path: '--limit', message: `${name}: "${clip(m[2]!)}" is not a positive number` }]);
    limits[name] = value;
  }
  return limits;
}

/** The default limits with the environment's P2PMARKET_LIMITS applied (no environment in a browser: the defaults). */
export function environmentLimits(env: Readonly<Record<string, string | undefined>> = globalThis.process?.env ?? {}): Limits {
  const text = env.P2PMARKET_LIMITS ?? '';
  if (cached?.text !== text) cached = { text, limits: text ? parseLimits(text.split(',').filter((s) => s.trim() !== ''), 'P2PMARKET_LIMITS') : { ...DEFAULT_LIMITS } };
  return { ...cached.limits };
}
let cached: { text: string; limits: Limits } | undefined;

/** How to raise a limit, for messages. */
export function raiseHint(name: keyof Limits): string {
  return `on a larger machine, raise it with --limit ${name}=<value> (or P2PMARKET_LIMITS=${name}=<value>)`;
}

/** A text shortened for a message. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
