/**
 * One chunk of a distributed sweep, computed in a worker thread (so that the worker's main
 * thread stays free to renew its BullMQ locks and answer signals). Bad input comes back as a
 * message, not a throw: it fails the job for good (no retries).
 */
import { InputError } from '../errors.ts';
import { QuadraticNotSupportedError } from '../solver/errors.ts';
import { runChunk, type SweepPointResult } from '../sweep/run.ts';
import { planOf, type SweepDefinition } from './definition.ts';

export interface ChunkThreadTask {
  definition: SweepDefinition;
  from: number;
  to: number;
}

export type ChunkThreadResult = { results: SweepPointResult[] } | { inputError: string };

export async function computeChunk(task: ChunkThreadTask): Promise<ChunkThreadResult> {
  const { definition, from, to } = task;
  let scenarioFile = definition.sweepFile;
  try {
    const plan = planOf(definition);
    scenarioFile = plan.scenarioFile;
    const results = await runChunk({ sweepFile: definition.sweepFile, from, to, solver: definition.solver, timeLimitSeconds: definition.timeLimitSeconds, ...(definition.acCheck ? { acCheck: true } : {}) }, plan);
    return { results };
  } catch (e) {
    if (e instanceof InputError) return { inputError: e.message };
    if (e instanceof QuadraticNotSupportedError) return { inputError: `${scenarioFile}: ${e.field}: ${e.message}` };
    throw e;
  }
}

export default computeChunk;
