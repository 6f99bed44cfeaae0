/**
 * Sweep files (contract.md): a scenario, and parameters — each a path (or several moved
 * together) with a range or a list of values; several parameters form their cartesian product.
 */
import { z } from 'zod';
import { ForecastErrorSchema, NAME_PATTERN } from '../scenario/schema.ts';
import { civilProblem } from '../profiles/time.ts';

export { NAME_PATTERN };

const path = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** A parameter: a path (or several moved together) with a range `from`/`to`/`step` or a list of `values`. */
export const ParameterSchema = z
  .strictObject({
    path,
    from: z.number().optional(),
    to: z.number().optional(),
    step: z.number().positive().optional(),
    values: z.array(z.number()).min(1).optional(),
  })
  .superRefine((p, ctx) => {
    const range = (['from', 'to', 'step'] as const).filter((k) => p[k] !== undefined);
    if (p.values !== undefined && range.length > 0) {
      ctx.addIssue({ code: 'custom', message: `has both "values" and a range (${range.join(', ')}): give one or the other` });
    } else if (p.values === undefined && range.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs "values", or a range "from", "to" and "step"' });
    } else if (p.values === undefined && range.length < 3) {
      const missing = (['from', 'to', 'step'] as const).filter((k) => p[k] === undefined);
      ctx.addIssue({ code: 'custom', message: `a range needs "from", "to" and "step" (${missing.map((k) => `"${k}"`).join(', ')} missing)` });
    }
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
  name: z.string().regex(NAME_PATTERN, 'use up to 100 letters, digits, ".", "_" or "-", not starting with "." (it names the output folder)').optional().describe('Names the output folder (default: the file name)'),
  description: z.string().optional(),
  scenario: z.string().min(1).describe('Scenario file, relative to the sweep file'),
  mode: z.enum(['clear', 'simulate']).default('clear').describe('What each point runs: one clearing, or a whole simulation'),
  parameters: z.array(ParameterSchema).default([]),
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
  sweep.parameters.forEach((parameter, k) => {
    for (const path of Array.isArray(parameter.path) ? parameter.path : [parameter.path]) {
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
