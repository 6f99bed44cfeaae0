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

/** At most this many problems are printed of one input (all are in `problems`). */
export const MAX_PROBLEMS_SHOWN = 20;
/** A problem's line is cut at this many characters. */
export const MAX_PROBLEM_CHARS = 600;

/**
 * Bad input: malformed JSON, unknown or missing fields, inconsistent values (exit 2). The
 * message is bounded — the first MAX_PROBLEMS_SHOWN problems, each at most MAX_PROBLEM_CHARS
 * long — however large the input or the list of its problems.
 */
export class InputError extends Error {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly file: string,
    readonly problems: InputProblem[],
  ) {
    const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => {
      const line = `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
      return line.length > MAX_PROBLEM_CHARS ? `${line.slice(0, MAX_PROBLEM_CHARS - 1)}…` : line;
    });
    if (problems.length > MAX_PROBLEMS_SHOWN) lines.push(`${file}: … and ${problems.length - MAX_PROBLEMS_SHOWN} more problems (fix these first)`);
    super(lines.join('\n'));
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
