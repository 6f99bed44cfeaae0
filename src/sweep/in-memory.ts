/**
 * A sweep held in memory, as code builds one: the sweep definition and the scenarios (and
 * profile tables) it names, as objects or texts keyed by the relative paths the definition uses.
 * It is planned and validated exactly as `loadSweep` plans a file — every point before any run —
 * and runs on worker threads like one (the plan carries its texts to them).
 *
 *     const plan = planSweep(
 *       { scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1, 10] }] },
 *       { 'base.json': scenarioObject },
 *     );
 *     const results = await runSweep(plan, { workers: 1 });
 */
import { loadSweepFromTexts, type SweepPlan } from './points.ts';

/** The name the definition gets in messages and among the files (`sweep.json`, unless a file of that name is given). */
const SWEEP_NAME = 'sweep.json';

export function planSweep(definition: object, files: Readonly<Record<string, object | string>> = {}, name = SWEEP_NAME): SweepPlan {
  const texts: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) texts[path] = typeof content === 'string' ? content : JSON.stringify(content);
  texts[name] = JSON.stringify(definition);
  return loadSweepFromTexts(name, texts);
}
