/**
 * What the command prints for a person fits the page: while a command runs, every text written
 * to stdout and stderr — results, tables, messages, warnings, errors, progress lines, commander's
 * help and usage errors — passes through `fitText` (output/terminal.ts), which wraps any line
 * wider than 120 columns at its spaces with a hanging indent. Lines that fit, as the tables drawn
 * by `fitTable` do, pass unchanged.
 *
 * Data is never touched: stdout is passed through as it is when it carries a document rather than
 * text for a person (`--json`, `schema`, an import without `--out`; see `printsData`). A line
 * redrawn in place on a terminal — a progress bar, written without a line break — cannot be
 * wrapped: it is cut at 120 columns instead.
 */
import type { Command } from 'commander';
import { clip, fitText } from '../output/fit-text.ts';

type Write = typeof process.stdout.write;

export interface Screen {
  /** Whether stdout carries data (passed through as it is) rather than text for a person. */
  stdoutIsData: boolean;
  /** Gives the streams their own `write` back. */
  restore(): void;
}

/** Fits everything written to stdout and stderr (but data on stdout) until `restore()`. */
export function fitScreen(): Screen {
  const screen: Screen = { stdoutIsData: false, restore: () => undefined };
  const restorers = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write;
    const fitted = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const redrawn = (text: string) => stream.isTTY && (!text.endsWith('\n') || text.includes('\r'));
      const text =
        typeof chunk !== 'string' || (stream === process.stdout && screen.stdoutIsData) ? chunk : redrawn(chunk) ? clip(chunk) : fitText(chunk);
      return (write as (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) => boolean).call(this, text, ...rest);
    };
    stream.write = fitted as Write;
    return () => {
      if (stream.write === fitted) stream.write = write;
    };
  });
  screen.restore = () => restorers.forEach((restore) => restore());
  return screen;
}

/**
 * Whether a command's stdout is a document for a program: `--json`, the JSON Schema, a scenario
 * or profile imported without `--out` (the rest of what those commands say goes to stderr).
 */
export function printsData(command: Command): boolean {
  const options = command.opts();
  if (options.json) return true;
  if (command.name() === 'schema') return true;
  return command.parent?.name() === 'import' && options.out === undefined;
}
