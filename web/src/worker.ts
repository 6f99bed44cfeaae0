/**
 * The page's Web Worker: every solve happens here, never on the page's thread. It loads HiGHS
 * from the .wasm the site serves (no CDN), runs the page's requests one at a time (runs.ts: the
 * command line's clear, simulate and sweep on texts in memory), reports progress, and draws
 * the run's figures as SVG text — src/plot/figures.ts's vega-lite specs rendered by
 * src/plot/render.ts, exactly as `p2pmarket plot` draws them for the HTML report — so that the
 * page only inserts them. Cancelling a run is the page terminating this worker.
 *
 * The page keeps two: one that runs, and one that checks the editor's text as the user types
 * (`check`, which never loads HiGHS) and draws the figures of the runs (`draw`), so that the
 * runner is free for the next run as soon as it has answered.
 */
import wasmUrl from 'highs/runtime?url';
import { InputError } from '../../src/errors.ts';
import { BUNDLED, pathOf } from './bundled.ts';
import { figuresFor } from '../../src/plot/figures.ts';
import { renderSvg } from '../../src/plot/render.ts';
import { runFolderFromTexts } from '../../src/plot/run-texts.ts';
import { highsRuntime } from '../../src/solver/highs.ts';
import type { DrawnFigure, Problem, Reply, Request, Texts } from './protocol.ts';
import { check, clearRun, simulateRun, sweepChunk, sweepChunks, sweepRun, sweepRunFiles, type RunFiles } from './runs.ts';

interface WorkerScope {
  postMessage(message: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const reply = (message: Reply) => scope.postMessage(message);

/** HiGHS from the site's own copy of the .wasm, loaded once. */
const highs = () => highsRuntime({ locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(wasmUrl, import.meta.url).href : file) });

/** The bundled files, and over them the page's edits and files. */
const BUNDLED_TEXTS: Texts = Object.fromEntries(BUNDLED.map((b) => [pathOf(b.file), b.text]));
const textsWith = (edits: Texts): Texts => ({ ...BUNDLED_TEXTS, ...edits });

/**
 * A two-point sweep of node-0 study B's scenario, run once when the worker starts, so that the
 * code of a sweep — its plan, its chunks, its files — is compiled before the user's first sweep.
 */
const WARM_SWEEP = 'warm/sweep.json';
const WARM_TEXTS: Texts = {
  ...BUNDLED_TEXTS,
  [WARM_SWEEP]: JSON.stringify({ scenario: '../scenarios/seed-node0-b.json', parameters: [{ path: 'utility.targetKw[2]', from: 0, to: 1, step: 1 }] }),
};

/**
 * HiGHS loaded, and the code of what the worker will run compiled by running it once: the
 * runner (`clear`) a clearing and a sweep's chunk; the helper a whole sweep (it cuts the chunks
 * and makes the files too).
 */
async function warm(clear: boolean): Promise<void> {
  await highs();
  if (clear) {
    // One clearing, thrown away, so that the first of the user's is as fast as the next.
    await clearRun(pathOf(BUNDLED[0]!.file), BUNDLED_TEXTS);
    const [chunk] = await sweepChunks(WARM_SWEEP, WARM_TEXTS);
    await sweepChunk(WARM_SWEEP, WARM_TEXTS, chunk!);
  } else {
    await sweepRun(WARM_SWEEP, WARM_TEXTS);
  }
}

const problemsOf = (e: InputError): Problem[] => e.problems.map((p) => ({ file: e.file, path: p.path, message: p.message }));

/** The run's figures, as `p2pmarket plot` draws them from the folder these files would make. */
async function figures(name: string, files: Record<string, string>): Promise<DrawnFigure[]> {
  const scenario = files['scenario.json'] === undefined ? undefined : (JSON.parse(files['scenario.json']) as Record<string, unknown>);
  const run = runFolderFromTexts(name, JSON.parse(files['result.json']!) as Record<string, unknown>, scenario, files);
  const drawn: DrawnFigure[] = [];
  for (const f of figuresFor(run)) drawn.push({ id: f.id, title: f.title, caption: f.caption, svg: await renderSvg(f.spec) });
  return drawn;
}

/** Requests run one after the other (a check never waits for a run: it goes to the other worker). */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const request = event.data;
  // The helper's warming waits for nothing (a check need not wait for it, nor it for a check).
  if (request.kind === 'warm' && request.light) void warm(false).then(() => reply({ kind: 'ready', id: request.id, ms: 0 }));
  else queue = queue.then(() => handle(request)).catch(() => undefined);
};

async function handle(request: Request): Promise<void> {
  const started = performance.now();
  const { id } = request;
  try {
    switch (request.kind) {
      case 'warm': {
        await warm(true);
        reply({ kind: 'ready', id, ms: performance.now() - started });
        return;
      }
      case 'check': {
        reply({ kind: 'checked', id, problems: [], checked: check(request.file, textsWith(request.edits)) });
        return;
      }
      case 'sweep-chunks': {
        reply({ kind: 'chunks', id, chunks: await sweepChunks(request.file, textsWith(request.edits)) });
        return;
      }
      case 'sweep-chunk': {
        await highs();
        reply({ kind: 'points', id, results: await sweepChunk(request.file, textsWith(request.edits), request.chunk) });
        return;
      }
      case 'sweep-files': {
        const run = sweepRunFiles(request.file, textsWith(request.edits), request.results);
        reply({ kind: 'result', id, mode: 'sweep', status: run.status, files: run.files, result: run.result, ms: performance.now() - started });
        return;
      }
      case 'draw': {
        reply({ kind: 'figures', id, figures: await figures(request.name, request.files), ms: performance.now() - started });
        return;
      }
      case 'run': {
        await highs();
        const progress = (done: number, total: number) => reply({ kind: 'progress', id, done, total, unit: request.mode === 'sweep' ? 'runs' : 'steps' });
        let run: RunFiles;
        const texts = textsWith(request.edits);
        if (request.mode === 'clear') run = await clearRun(request.file, texts);
        else if (request.mode === 'simulate') run = await simulateRun(request.file, texts, progress);
        else run = await sweepRun(request.file, texts, progress);
        reply({ kind: 'result', id, mode: request.mode, status: run.status, files: run.files, result: run.result, ms: performance.now() - started });
        return;
      }
    }
  } catch (e) {
    if (e instanceof InputError) {
      if (request.kind === 'check') reply({ kind: 'checked', id, problems: problemsOf(e) });
      else reply({ kind: 'problems', id, problems: problemsOf(e) });
    } else {
      reply({ kind: 'failed', id, message: e instanceof Error ? e.message : String(e) });
    }
  }
}
