/** `p2pmarket validate <scenario>` and `p2pmarket schema`. */
import { ExitCode, InputError } from '../errors.ts';
import { Feeder } from '../network/feeder.ts';
import { buildMarketProblem } from '../problem/build.ts';
import { checkModelSize } from '../problem/size.ts';
import { scenarioWindow } from '../scenario/window.ts';
import { formatWarning, scenarioWarnings } from '../scenario/warnings.ts';
import { environmentLimits } from '../io/limits.ts';
import { scenarioJsonSchema } from '../scenario/json-schema.ts';
import { loadScenario, readJsonFile } from '../scenario/load.ts';
import { loadSweep, validatePoints } from '../sweep/points.ts';

/**
 * A sweep file (it names its scenario, or has parameters, one of which may choose it) rather
 * than a scenario (which has a network).
 */
function isSweepFile(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || 'network' in data) return false;
  const { scenario, parameters } = data as { scenario?: unknown; parameters?: unknown };
  return typeof scenario === 'string' || Array.isArray(parameters);
}

/**
 * Checks scenario and sweep files as every command does (exit 2 on the first file with problems)
 * and describes them. A sweep is checked with every one of its points.
 */
export function validateCommand(files: string[], options: { quiet?: boolean; json?: boolean }): number {
  // With --json every file gets its report, an invalid one its problems (exit 2 after them all).
  const refused: InputError[] = [];
  const reports = files.map((file): Record<string, unknown> => {
    if (!options.json) return describeFile(file);
    try {
      return { valid: true, ...describeFile(file) };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      refused.push(e);
      return { file, valid: false, problems: e.problems.map(({ path, message }) => ({ field: path, message })) };
    }
  });
  if (options.json) {
    process.stdout.write(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
    for (const e of refused) process.stderr.write(`error: ${e.message}\n`);
    return refused.length > 0 ? ExitCode.badInput : ExitCode.ok;
  }
  if (!options.quiet) {
    for (const r of reports) {
      if ('sweep' in r) {
        const plural = (n: unknown, word: string) => `${Number(n).toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
        process.stdout.write(
          `${r.file}: valid sweep — "${r.sweep}" over ${r.scenario}: ${plural(r.points, 'point')} × ${plural(r.samples, 'sample')} = ` +
            `${plural(r.runs, r.mode === 'simulate' ? 'simulation' : 'clearing')}, every point valid\n`,
        );
        continue;
      }
      process.stdout.write(
        `${r.file}: valid — "${r.scenario}", ${r.steps} step${r.steps === 1 ? '' : 's'} of ${r.stepHours} h, ${r.buses} buses, ${r.lines} lines, ${r.loads} fixed loads, ` +
          `${r.prosumers} prosumers (${r.batteries} with batteries), ${r.tradePairs} trade pairs; the clearing problem ${r.windowSteps === r.steps ? 'has' : `of a ${r.windowSteps}-step window has`} ` +
          `${r.columns} columns and ${r.rows} rows (${r.linearForm} LinDistFlow; about ${r.estimatedMemoryMib} MiB to clear)\n`,
      );
      for (const c of r.fixedConflicts as string[]) process.stdout.write(`  warning: ${c} — the market cannot be cleared\n`);
      for (const w of r.warnings as string[]) process.stderr.write(`${w}\n`);
    }
  }
  return ExitCode.ok;
}

export function schemaCommand(): number {
  process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  return ExitCode.ok;
}

/** A file's report (a sweep's or a scenario's); an InputError when it is not valid. */
function describeFile(file: string): Record<string, unknown> {
  if (isSweepFile(readJsonFile(file))) {
    const plan = loadSweep(file);
    validatePoints(plan);
    return { file, sweep: plan.name, scenario: plan.scenarioFile, mode: plan.mode, parameters: plan.parameters.length, points: plan.size / plan.samples, samples: plan.samples, runs: plan.size };
  }
  const scenario = loadScenario(file);
  const feeder = new Feeder(scenario.network);
  // Held to the limits as the command that runs it would be: simulate's windows when it has them.
  const windowSteps = scenario.horizonSteps ?? scenario.steps;
  const size = checkModelSize(scenario, feeder, file, environmentLimits(), windowSteps);
  const problem = buildMarketProblem(windowSteps < scenario.steps ? scenarioWindow(scenario, 0, windowSteps) : scenario, feeder);
  return {
    file,
    scenario: scenario.name,
    steps: scenario.steps,
    stepHours: scenario.stepHours,
    buses: scenario.network.buses.length,
    lines: scenario.network.lines.length,
    loads: scenario.network.loads.length,
    prosumers: scenario.prosumers.length,
    batteries: scenario.prosumers.filter((p) => p.battery).length,
    tradePairs: problem.index.pairs.length,
    linearForm: problem.index.linearForm,
    windowSteps,
    columns: problem.model.numCols,
    rows: problem.model.numRows,
    estimatedMemoryMib: size.memoryMib,
    fixedConflicts: problem.fixedConflicts.map((c) => c.description),
    warnings: scenarioWarnings(scenario).map((w) => formatWarning(file, w)),
  };
}
