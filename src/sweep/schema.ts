/**
 * Sweep files (contract.md): a scenario, and parameters — each a path (or several moved
 * together) with a range or a list of values; several parameters form their cartesian product.
 */
import { z } from 'zod';
import { NAME_PATTERN } from '../scenario/schema.ts';

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

/** What a stochastic sweep draws for each sample (each sample has its own seeded generator). */
export const PerturbationsSchema = z.strictObject({
  forecastErrorStdKw: z.number().nonnegative().default(0).describe('σ of the forecast errors the engine draws (mode "simulate")'),
  requestStdKw: z.number().nonnegative().default(0).describe('σ of a normal error added to each step\'s requested kW'),
  randomInitialSoc: z.boolean().default(false).describe('Draw every battery\'s initial state uniformly within its limits'),
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
});

export type SweepInput = z.input<typeof SweepSchema>;
export type SweepData = z.output<typeof SweepSchema>;
export type ParameterData = z.output<typeof ParameterSchema>;
