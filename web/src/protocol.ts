/**
 * The messages between the page (main.ts) and its Web Workers (worker.ts). The workers hold
 * the bundled files (bundled.ts) themselves; the page sends the texts that differ from them —
 * the user's files, the editor's text — by virtual path (`edits`), and the path of the file to run; the worker answers with progress, the
 * run's files (exactly the texts the command line writes) and the figures as SVG text.
 * Everything here is structured-cloneable data.
 */

import type { SweepPointResult } from '../../src/sweep/chunk.ts';

/** A sweep's chunk: the points `from` to `to` (exclusive). */
export interface ChunkRange {
  from: number;
  to: number;
}

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
  /** Load HiGHS and run a clearing (unless `light`) and a small sweep once, discarding the results (so that the first real run is warm). */
  | { kind: 'warm'; id: number; light?: boolean }
  /** Check a scenario or sweep as `p2pmarket validate` does. */
  | { kind: 'check'; id: number; file: string; edits: Texts }
  /** Clear, simulate or sweep `file`, as `p2pmarket clear|simulate|sweep` with their defaults. */
  | { kind: 'run'; id: number; mode: RunMode; file: string; edits: Texts }
  /** A sweep's start: its points validated, its chunks (then run by any worker, in any order). */
  | { kind: 'sweep-chunks'; id: number; file: string; edits: Texts }
  /** One chunk of a sweep's points. */
  | { kind: 'sweep-chunk'; id: number; file: string; edits: Texts; chunk: ChunkRange }
  /** A sweep's files from every point's result, in point order. */
  | { kind: 'sweep-files'; id: number; file: string; edits: Texts; results: SweepPointResult[] }
  /** Draw the figures of a run's files (as `p2pmarket plot` draws them in the folder they would make). */
  | { kind: 'draw'; id: number; name: string; files: Record<string, string> };

/** What a valid document is, in one line (`p2pmarket validate`'s). */
export interface Checked {
  kind: 'scenario' | 'sweep';
  description: string;
  warnings: string[];
}

/** A figure of the run, drawn in the worker as SVG text (the HTML report's figure). */
export interface DrawnFigure {
  id: string;
  title: string;
  caption: string;
  svg: string;
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
  | { kind: 'chunks'; id: number; chunks: ChunkRange[] }
  | { kind: 'points'; id: number; results: SweepPointResult[] }
  | { kind: 'problems'; id: number; problems: Problem[] }
  | { kind: 'failed'; id: number; message: string };
