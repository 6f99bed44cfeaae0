/**
 * A sweep held in memory, as code builds one: the sweep definition and the scenarios (and
 * profile tables) it names, as objects or texts keyed by the relative paths the definition uses.
 * It is planned as `loadSweep` plans a file and every point validated at once, as `validate`
 * and `sweep` check a file's, and runs on worker threads like one (the plan carries its texts).
 *
 *     const plan = planSweep(
 *       { scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1, 10] }] },
 *       { 'base.json': scenarioObject },
 *     );
 *     const results = await runSweep(plan, { workers: 1 });
 */
import { InputError } from '../errors.ts';
import { loadSweepFromTexts, validatePoints, type SweepPlan } from './points.ts';

/** The name the definition gets in messages and among the files (`sweep.json`, unless a file of that name is given). */
const SWEEP_NAME = 'sweep.json';

/**
 * The plan of a sweep held in memory, every point built and validated (its scenario, the size
 * limits, what its metrics name): a bad one is an InputError naming its point and field.
 */
export function planSweep(definition: object, files: Readonly<Record<string, object | string>> = {}, name = SWEEP_NAME): SweepPlan {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new InputError(name, [{ path: '', message: `a sweep definition must be an object, such as { scenario: 'base.json', parameters: [...] }` }]);
  }
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new InputError(name, [{ path: '', message: `its files must be an object of scenarios (objects or texts) by the paths the definition uses, such as { 'base.json': scenario }` }]);
  }
  const texts: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) texts[path] = typeof content === 'string' ? content : JSON.stringify(content);
  texts[name] = JSON.stringify(definition);
  const plan = loadSweepFromTexts(name, texts);
  validatePoints(plan);
  return plan;
}
