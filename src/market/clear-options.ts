/**
 * The options a clearing or a simulation is given in code, checked as the command line checks its
 * flags: the solver's name, a positive finite time limit. An `InputError` names the option.
 */
import { InputError, type InputProblem } from '../errors.ts';

export const SOLVER_NAMES = ['highs', 'lp-solver'] as const;

/**
 * Problems with the options a clearing or a simulation is given in code (`where` names them in
 * the message): the solver's name, a positive finite time limit.
 */
export function checkClearOptions(options: unknown, where: string): void {
  if (options === undefined) return;
  const problems: InputProblem[] = [];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InputError(where, [{ path: '', message: 'options must be an object' }]);
  }
  const { solver, timeLimitSeconds } = options as { solver?: unknown; timeLimitSeconds?: unknown };
  if (solver !== undefined && !(SOLVER_NAMES as readonly unknown[]).includes(solver)) {
    problems.push({ path: 'solver', message: `${JSON.stringify(solver)} is not a solver: use ${SOLVER_NAMES.map((s) => `"${s}"`).join(' or ')}` });
  }
  if (timeLimitSeconds !== undefined && !(typeof timeLimitSeconds === 'number' && Number.isFinite(timeLimitSeconds) && timeLimitSeconds > 0)) {
    problems.push({ path: 'timeLimitSeconds', message: `${JSON.stringify(timeLimitSeconds)} is not a time limit: give a positive number of seconds` });
  }
  if (problems.length > 0) throw new InputError(where, problems);
}
