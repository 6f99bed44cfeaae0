/**
 * The page's Web Worker: every solve happens here, never on the page's thread. It loads HiGHS
 * from the .wasm the site serves (no CDN), runs the page's requests one at a time (runs.ts: the
 * command line's clear, simulate and sweep on texts in memory), reports progress, and compiles
 * the run's figures (src/plot/figures.ts's vega-lite specs, as the HTML report draws them) to
 * vega for the page to render. Cancelling a run is the page terminating this worker.
 *
 * The page keeps two: one that runs, one that checks the editor's text as the user types
 * (`check`, which never loads HiGHS).
 */
import wasmUrl from 'highs/runtime?url';
import { compile, type TopLevelSpec } from 'vega-lite';
import { InputError } from '../../src/errors.ts';
import { figuresFor } from '../../src/plot/figures.ts';
import { highsRuntime } from '../../src/solver/highs.ts';
import type { DrawnFigure, Problem, Reply, Request } from './protocol.ts';
import { runFolderOf } from './run-folder.ts';
import { check, clearRun, simulateRun, sweepRun, type RunFiles } from './runs.ts';

interface WorkerScope {
  postMessage(message: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const reply = (message: Reply) => scope.postMessage(message);

/** HiGHS from the site's own copy of the .wasm, loaded once. */
const highs = () => highsRuntime({ locateFile: (file: string) => (file.endsWith('.wasm') ? new URL(wasmUrl, import.meta.url).href : file) });

const problemsOf = (e: InputError): Problem[] => e.problems.map((p) => ({ file: e.file, path: p.path, message: p.message }));

function figures(name: string, files: Record<string, string>): DrawnFigure[] {
  return figuresFor(runFolderOf(name, files)).map((f) => ({
    id: f.id,
    title: f.title,
    caption: f.caption,
    vega: compile(f.spec as unknown as TopLevelSpec).spec as unknown as Record<string, unknown>,
  }));
}

/** Requests run one after the other (a check never waits for a run: it goes to the other worker). */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(() => handle(request)).catch(() => undefined);
};

async function handle(request: Request): Promise<void> {
  const started = performance.now();
  const { id } = request;
  try {
    switch (request.kind) {
      case 'warm': {
        await highs();
        // One clearing, thrown away, so that the first of the user's is as fast as the next.
        if (request.file && request.texts) await clearRun(request.file, request.texts);
        reply({ kind: 'ready', id, ms: performance.now() - started });
        return;
      }
      case 'check': {
        reply({ kind: 'checked', id, problems: [], checked: check(request.file, request.texts) });
        return;
      }
      case 'run': {
        await highs();
        const progress = (done: number, total: number) => reply({ kind: 'progress', id, done, total, unit: request.mode === 'sweep' ? 'runs' : 'steps' });
        let run: RunFiles;
        if (request.mode === 'clear') run = await clearRun(request.file, request.texts);
        else if (request.mode === 'simulate') run = await simulateRun(request.file, request.texts, progress);
        else run = await sweepRun(request.file, request.texts, progress);
        reply({ kind: 'result', id, mode: request.mode, status: run.status, files: run.files, result: run.result, ms: performance.now() - started });
        if (run.files['result.json']) {
          const drawing = performance.now();
          reply({ kind: 'figures', id, figures: figures(request.file, run.files), ms: performance.now() - drawing });
        }
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
