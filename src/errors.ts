/**
 * Exit codes of the command-line contract — 0 done, 1 anything else, 2 bad input or usage,
 * 3 a market that cannot be cleared (a result with a non-optimal status) — and the error for
 * bad input.
 */
export const ExitCode = { ok: 0, failure: 1, badInput: 2, notCleared: 3 } as const;

/** One problem in an input file, located by a field path such as `prosumers[1].battery.initialKwh`. */
export interface InputProblem {
  path: string;
  message: string;
}

/** Bad input: malformed JSON, unknown or missing fields, inconsistent values (exit 2). */
export class InputError extends Error {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly file: string,
    readonly problems: InputProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
    this.name = 'InputError';
  }
}

/** Formats a zod-style path (`['prosumers', 1, 'battery']`) as `prosumers[1].battery`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
