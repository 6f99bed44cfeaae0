/**
 * The messages between the page (main.ts) and its Web Workers (worker.ts). The page sends the
 * texts it holds — bundled scenarios, the user's files, the editor's text — by virtual path
 * (/scenarios/<name>), and the path of the file to run; the worker answers with progress, the
 * run's files (exactly the texts the command line writes) and the figures as vega specs.
 * Everything here is structured-cloneable data.
 */

/** Texts by virtual path. */
export type Texts = Record<string, string>;

/** One problem of an input, as the command line reports it: `<file>: <path>: <message>`. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

export type RunMode = 'clear' | 'simulate' | 'sweep';

export type Request =
  /** Load HiGHS and clear `file` once, discarding the result (so that the first real run is warm). */
  | { kind: 'warm'; id: number; file?: string; texts?: Texts }
  /** Check a scenario or sweep as `p2pmarket validate` does. */
  | { kind: 'check'; id: number; file: string; texts: Texts }
  /** Clear, simulate or sweep `file`, as `p2pmarket clear|simulate|sweep` with their defaults. */
  | { kind: 'run'; id: number; mode: RunMode; file: string; texts: Texts };

/** What a valid document is, in one line (`p2pmarket validate`'s). */
export interface Checked {
  kind: 'scenario' | 'sweep';
  description: string;
  warnings: string[];
}

/** A figure of the run, its vega-lite spec compiled to vega (in the worker). */
export interface DrawnFigure {
  id: string;
  title: string;
  caption: string;
  vega: Record<string, unknown>;
}

export type Reply =
  | { kind: 'ready'; id: number; ms: number }
  | { kind: 'checked'; id: number; problems: Problem[]; checked?: Checked }
  | { kind: 'progress'; id: number; done: number; total: number; unit: string }
  /**
   * The run's files by name (runs.csv, steps.csv, …, result.json), none when the command line
   * would write none (a market that cannot be cleared); `ms` the worker's time from the request
   * to this reply.
   */
  | { kind: 'result'; id: number; mode: RunMode; status: string; files: Record<string, string>; result: Record<string, unknown>; ms: number }
  | { kind: 'figures'; id: number; figures: DrawnFigure[]; ms: number }
  | { kind: 'problems'; id: number; problems: Problem[] }
  | { kind: 'failed'; id: number; message: string };
