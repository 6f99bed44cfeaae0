/**
 * `p2pmarket plot <run-dir>`: every figure of a finished run as SVG in <run-dir>/figures/, and
 * <run-dir>/index.html with the run's summary, tables and figures. Only a run folder (its
 * manifest) is drawn into, under its lock, and the figures are committed atomically beside the
 * run's own files (output/run-folder.ts).
 */
import { join } from 'node:path';
import { RunFolder } from '../output/run-folder.ts';
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
  const folder = RunFolder.claim(dir, { command: 'plot', requireRun: true, option: 'run folder' });
  try {
    const run = readRunFolder(dir);
    const figures = figuresFor(run);
    const files: Record<string, string> = {};
    const rendered = [];
    for (const figure of figures) {
      const svg = await renderSvg(figure.spec);
      rendered.push({ figure, svg });
      files[`${FIGURES_DIR}/${figure.id}.svg`] = svg + '\n';
    }
    files[REPORT_FILE] = reportHtml(run, rendered);
    folder.commit(files, 'add');
    return { dir, figures, report: join(dir, REPORT_FILE) };
  } finally {
    folder.release();
  }
}
