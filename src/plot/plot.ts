/**
 * `p2pmarket plot <run-dir>`: every figure of a finished run as SVG in <run-dir>/figures/, and
 * <run-dir>/index.html with the run's summary, tables and figures. Written atomically: the new
 * figures are staged beside the folder, the old ones removed, and index.html comes last.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figuresFor, type Figure } from './figures.ts';
import { renderSvg } from './render.ts';
import { reportHtml } from './report.ts';
import { readRunFolder } from './run-dir.ts';

export const FIGURES_DIR = 'figures';
export const REPORT_FILE = 'index.html';

export interface PlotResult {
  dir: string;
  figures: Figure[];
  report: string;
}

export async function plotRun(dir: string): Promise<PlotResult> {
  const run = readRunFolder(dir);
  const figures = figuresFor(run);
  const rendered = [];
  for (const figure of figures) rendered.push({ figure, svg: await renderSvg(figure.spec) });

  const staging = mkdtempSync(join(dir, '.partial-plot-'));
  try {
    mkdirSync(join(staging, FIGURES_DIR));
    for (const { figure, svg } of rendered) writeFileSync(join(staging, FIGURES_DIR, `${figure.id}.svg`), svg + '\n');
    writeFileSync(join(staging, REPORT_FILE), reportHtml(run, rendered));
    rmSync(join(dir, REPORT_FILE), { force: true });
    rmSync(join(dir, FIGURES_DIR), { recursive: true, force: true });
    renameSync(join(staging, FIGURES_DIR), join(dir, FIGURES_DIR));
    renameSync(join(staging, REPORT_FILE), join(dir, REPORT_FILE));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, figures, report: join(dir, REPORT_FILE) };
}
