/** `p2pmarket plot <run-dir>`, and `--plot` on clear, simulate and sweep. */
import { join } from 'node:path';
import { ExitCode } from '../errors.ts';

export async function plotCommand(dir: string, options: { quiet?: boolean; json?: boolean }): Promise<number> {
  // The figures (vega) load only when something is drawn.
  const { plotRun } = await import('../plot/plot.ts');
  const result = await plotRun(dir);
  if (options.json) {
    process.stdout.write(JSON.stringify({ report: result.report, figures: result.figures.map((f) => ({ id: f.id, title: f.title, file: join(dir, 'figures', `${f.id}.svg`) })) }, null, 2) + '\n');
  } else if (!options.quiet) {
    process.stdout.write(`${result.figures.length} figures in ${join(dir, 'figures')}/ (${result.figures.map((f) => f.id).join(', ')}); report: ${result.report}\n`);
  }
  return ExitCode.ok;
}

/** After a run has written its files: draw its figures (the run's own output stays as it is). */
export async function plotAfterRun(dir: string, quiet: boolean | undefined, toStderr = false): Promise<void> {
  const { plotRun } = await import('../plot/plot.ts');
  const result = await plotRun(dir);
  if (!quiet) (toStderr ? process.stderr : process.stdout).write(`drew ${result.figures.length} figures; open ${result.report}\n`);
}
