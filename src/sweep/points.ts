/**
 * A sweep's points (sweep/plan.ts: parameters, products, validation, from any file source),
 * with the disk as the source of its files by default.
 */
import { diskSource } from '../io/disk-source.ts';
import type { FileSource } from '../io/source.ts';
import { loadSweepFrom, type SweepPlan } from './plan.ts';

export * from './plan.ts';

/** A sweep's plan, its files read from the disk (or from `source`). */
export function loadSweep(file: string, source: FileSource = diskSource()): SweepPlan {
  return loadSweepFrom(file, source);
}
