/**
 * Sweep files (contract.md): a scenario, and parameters — each a path (or several moved
 * together) with a range or a list of values; several parameters form their cartesian product.
 */
import { z } from 'zod';
import { ForecastErrorSchema, NAME_PATTERN, NAME_RULE } from '../scenario/schema.ts';
import { civilProblem } from '../profiles/time.ts';
import { COLUMN_NAME, COLUMN_NAME_RULE } from './columns.ts';

export { NAME_PATTERN };

const path = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
/**
 * A column name in runs.csv: letters, digits and "_" (names that numpy and pandas keep as they
 * are); the plan checks that it is no other column's, nor a name numpy renames (columns.ts).
 */
const columnName = z.string().regex(COLUMN_NAME, COLUMN_NAME_RULE);

/**
 * A parameter: a path (or several moved together) with what to do there — set `values` (any JSON:
 * numbers, strings, booleans, objects), set a range `from`/`to`/`step`, `scale` by factors or
 * `shift` by amounts — or `scenario`: a choice among scenario files. `name` is its column.
 */
export const ParameterSchema = z
  .strictObject({
    name: columnName.optional().describe('The column of runs.csv (default: the path, made a plain name)'),
    path: path.optional().describe('Scenario fields with ".", "[i]" and "[*]"; several paths move together'),
    from: z.number().optional(),
    to: z.number().optional(),
    step: z.number().positive().optional(),
    values: z.array(z.unknown()).min(1).optional().describe('Values to set: numbers, strings, booleans or objects'),
    scale: z.array(z.number()).min(1).optional().describe('Factors to multiply the fields by (numbers, series, profile references)'),
    shift: z.array(z.number()).min(1).optional().describe('Amounts to add to the fields (numbers, series)'),
    scenario: z.array(z.string().min(1)).min(1).optional().describe('Scenario files to choose among, relative to the sweep file'),
  })
  .superRefine((p, ctx) => {
    const range = (['from', 'to', 'step'] as const).filter((k) => p[k] !== undefined);
    const forms = [...(p.values ? ['values'] : []), ...(range.length > 0 ? ['a range'] : []), ...(p.scale ? ['scale'] : []), ...(p.shift ? ['shift'] : []), ...(p.scenario ? ['scenario'] : [])];
    if (forms.length > 1) {
      ctx.addIssue({ code: 'custom', message: `has ${forms.join(' and ')}${range.length > 0 ? ` (${range.join(', ')})` : ''}: give one of values, a range, scale, shift or scenario` });
    } else if (forms.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs "values", a range "from", "to" and "step", "scale", "shift", or "scenario"' });
    } else if (range.length > 0 && range.length < 3) {
      const missing = (['from', 'to', 'step'] as const).filter((k) => p[k] === undefined);
      ctx.addIssue({ code: 'custom', message: `a range needs "from", "to" and "step" (${missing.map((k) => `"${k}"`).join(', ')} missing)` });
    } else if (p.scenario && p.path !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'a "scenario" parameter chooses among files and takes no "path"' });
    } else if (!p.scenario && p.path === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs a "path": the scenario fields it sets' });
    }
  });

/** Parameters that move together: their value lists have one length and the i-th values go together. */
export const ZipSchema = z.strictObject({ zip: z.array(ParameterSchema).min(2).describe('Parameters that move together (one value of each at a time)') });

/**
 * A metric computed from each run's traces: `agg` of a trace's `column` over its rows (those of
 * `agent`, `from`/`to` for trades, or steps `tFrom`…`tTo`, when given). What it names — the
 * column, the filters' columns, agents, buses and steps — is checked by the plan (metrics.ts).
 */
export const TraceMetricSchema = z.strictObject({
  name: columnName.describe('The column of runs.csv'),
  trace: z.enum(['steps', 'trades', 'settlement', 'nodalPrices']).describe('The trace: steps.csv, trades.csv, settlement.csv or nodal-prices.csv'),
  column: z.string().min(1).describe("A numeric column of that trace (e.g. netInjectionKw, kw, gainCurrency)"),
  agg: z.enum(['sum', 'mean', 'min', 'max', 'first', 'last', 'count']).describe('How its rows are aggregated'),
  agent: z.string().optional().describe('Only the rows of this agent (steps, settlement)'),
  bus: z.union([z.string().min(1), z.number().int().nonnegative()]).transform((v) => String(v)).optional().describe('Only the rows of this bus (nodalPrices); a whole number is read as its decimal text, as in a scenario'),
  from: z.string().optional().describe('Only trades from this agent'),
  to: z.string().optional().describe('Only trades to this agent'),
  tFrom: z.number().int().nonnegative().optional().describe('Only steps from this one'),
  tTo: z.number().int().nonnegative().optional().describe('Only steps up to this one'),
  timesHours: z.boolean().default(false).describe("Multiply each row by its step's length in hours (kW → kWh) before aggregating"),
});

/** A calendar day, "2016-01-01". */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const day = () =>
  z
    .string()
    .regex(DAY, 'must be a date such as "2016-01-01"')
    .superRefine((text, ctx) => {
      const m = DAY.exec(text);
      const problem = m && civilProblem({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0, millisecond: 0 });
      if (problem) ctx.addIssue({ code: 'custom', message: `"${text}": ${problem}` });
    });

/** The days a sample's `start` is drawn from, both included (perturb.ts). */
export const DrawDaysSchema = z
  .strictObject({
    from: day().describe('First day that may be drawn, YYYY-MM-DD (a local date, as the scenario\'s start)'),
    to: day().describe('Last day that may be drawn, YYYY-MM-DD (included)'),
  })
  .superRefine((d, ctx) => {
    if (d.to < d.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `${d.to} is before "from" (${d.from})` });
  });

const fe = ForecastErrorSchema.shape;
/** The scenario's `forecastError` fields a sweep sets (the others keep the scenario's values, else their defaults). */
export const ForecastErrorPerturbationSchema = z.strictObject({
  stdKw: fe.stdKw.unwrap().optional().describe('σ of the net-injection error, kW'),
  pvStdKw: fe.pvStdKw.unwrap().optional().describe('σ of the PV error, kW (prosumers with pvKw)'),
  loadStdKw: fe.loadStdKw.unwrap().optional().describe('σ of the load error, kW (prosumers with loadKw)'),
  autocorrelation: fe.autocorrelation.unwrap().optional().describe('φ: lag-1 correlation of each error in time'),
  commonShare: fe.commonShare.unwrap().optional().describe('c: correlation between two prosumers\' errors'),
});

/** What a stochastic sweep draws for each sample (each sample has its own seeded generator). */
export const PerturbationsSchema = z
  .strictObject({
    forecastErrorStdKw: z.number().nonnegative().default(0).describe('σ of the forecast errors the engine draws (mode "simulate")'),
    forecastError: ForecastErrorPerturbationSchema.optional().describe('The forecast-error model the engine draws from (mode "simulate"): sets these fields of the scenario\'s forecastError'),
    requestStdKw: z.number().nonnegative().default(0).describe('σ of a normal error added to each step\'s requested kW'),
    randomInitialSoc: z.boolean().default(false).describe('Draw every battery\'s initial state uniformly within its limits'),
    drawDays: DrawDaysSchema.optional().describe('Draw each sample\'s day uniformly from these days: the scenario\'s start moves to it (its time of day kept), and its profiles are read for that day'),
  })
  .superRefine((p, ctx) => {
    if (p.forecastErrorStdKw > 0 && p.forecastError?.stdKw !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['forecastErrorStdKw'], message: 'sets the net error\'s σ that forecastError.stdKw also sets: use one or the other' });
    }
  });

export const SweepSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(NAME_PATTERN, NAME_RULE).optional().describe('Names the output folder (default: the file name)'),
  description: z.string().optional(),
  scenario: z.string().min(1).optional().describe('Scenario file, relative to the sweep file (or a "scenario" parameter chooses among several)'),
  mode: z.enum(['clear', 'simulate']).default('clear').describe('What each point runs: one clearing, or a whole simulation'),
  parameters: z.array(z.union([ZipSchema, ParameterSchema])).default([]).describe('Their cartesian product, the last varying fastest; a {"zip": [...]} moves its parameters together'),
  metrics: z.array(TraceMetricSchema).default([]).describe('Metrics of each run computed from its traces, as columns of runs.csv'),
  valueOfTrading: z.boolean().default(true).describe('With a tariff: also clear each point without peer trades and report the gains (mode "clear")'),
  samples: z.number().int().positive().max(1_000_000).default(1).describe('Random samples of every parameter point'),
  seed: z.number().int().default(1).describe('Seed of the samples: the same sweep and seed always draw the same'),
  perturbations: PerturbationsSchema.optional(),
}).superRefine((sweep, ctx) => {
  const forecastError = sweep.perturbations?.forecastError;
  if (!forecastError) return;
  if (sweep.mode !== 'simulate') {
    ctx.addIssue({ code: 'custom', path: ['perturbations', 'forecastError'], message: 'forecast errors are realised by the engine: use "mode": "simulate"' });
  }
  // A field both set here and swept by a parameter would silently take the parameter's values.
  const flat = sweep.parameters.flatMap((entry, k) => ('zip' in entry ? entry.zip.map((p) => [p, k] as const) : [[entry, k] as const]));
  flat.forEach(([parameter, k]) => {
    for (const path of parameter.path === undefined ? [] : Array.isArray(parameter.path) ? parameter.path : [parameter.path]) {
      const field = /^forecastError\.(\w+)$/.exec(path.replace(/\s/g, ''))?.[1];
      if (field && forecastError[field as keyof typeof forecastError] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['perturbations', 'forecastError', field], message: `is also swept by parameters[${k}] ("${path}"): use one or the other` });
      }
    }
  });
});

export type SweepInput = z.input<typeof SweepSchema>;
export type SweepData = z.output<typeof SweepSchema>;
export type ParameterData = z.output<typeof ParameterSchema>;
export type TraceMetric = z.output<typeof TraceMetricSchema>;
