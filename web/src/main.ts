/**
 * The page's thread: what the user sees and does — choose a bundled scenario or open their own
 * files (picker or drag and drop), see the feeder (feeder-diagram.ts) and edit the JSON, with
 * the command line's validation messages under the editor naming the field (and its line);
 * clear, simulate or sweep with a progress bar and a cancel button; read the numbers, see the
 * figures and download the run's files.
 *
 * Invariants: no solve and no validation on this thread — both run in Web Workers (worker.ts):
 * one that runs (terminated to cancel, then replaced) and one that checks the editor's text as
 * it changes. The page holds every input as text by virtual path (bundled.ts: scenarios/<file>;
 * the user's files: files/<name>) and sends them with each request. Figures arrive as SVG text
 * drawn by the worker, downloads are the run's texts as they came back.
 */
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { BUNDLED, pathOf } from './bundled.ts';
import { feederModel, feederSvg } from './feeder-diagram.ts';
import type { Checked, DrawnFigure, Problem, Reply, Request, RunMode, Texts } from './protocol.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const editor = $<HTMLTextAreaElement>('editor');
const select = $<HTMLSelectElement>('bundled');
const progress = $<HTMLProgressElement>('progress');
const status = $('status');
const buttons: Record<RunMode, HTMLButtonElement> = { clear: $<HTMLButtonElement>('clear'), simulate: $<HTMLButtonElement>('simulate'), sweep: $<HTMLButtonElement>('sweep') };
const cancel = $<HTMLButtonElement>('cancel');

/** Every input the page holds, by virtual path. */
const texts: Texts = Object.fromEntries(BUNDLED.map((b) => [pathOf(b.file), b.text]));
/** The bundled files as they came, to tell the edits from them. */
const BUNDLED_TEXTS: Readonly<Texts> = { ...texts };
/** What the workers need besides the bundled files they hold: the edited and the user's texts. */
const edits = (): Texts => Object.fromEntries(Object.entries(texts).filter(([path, text]) => BUNDLED_TEXTS[path] !== text));
/** The file in the editor. */
let current = pathOf(BUNDLED[0]!.file);
/** What the last check of the editor's text found (undefined while it has problems or is being checked). */
let checked: Checked | undefined;

// ---- the workers -------------------------------------------------------------------------------

let nextId = 1;
const handlers = new Map<number, (reply: Reply) => void>();

function startWorker(): Worker {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'p2pmarket' });
  worker.onmessage = (event: MessageEvent<Reply>) => handlers.get(event.data.id)?.(event.data);
  worker.onerror = (event) => {
    status.textContent = `The worker failed: ${event.message}`;
  };
  return worker;
}

/** A request before it is numbered. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

function send(worker: Worker, request: Unnumbered<Request>, handle: (reply: Reply) => void): number {
  const id = nextId++;
  handlers.set(id, handle);
  worker.postMessage({ ...request, id } as Request);
  return id;
}

let runner = startWorker();
/** Checks the editor's text, draws the figures, and runs half of a sweep's chunks. */
let helper = startWorker();
/** The run in progress, if any. */
let running: { mode: RunMode; started: number } | undefined;

/** Loads HiGHS in both workers and clears the seed once in the runner, so that the user's first clearing is warm. */
function warm(): void {
  const started = performance.now();
  send(helper, { kind: 'warm', light: true }, (reply) => handlers.delete(reply.id));
  send(runner, { kind: 'warm' }, (reply) => {
    handlers.delete(reply.id);
    if (reply.kind !== 'ready') return;
    document.body.dataset.ready = 'true';
    if (!running) status.textContent = `Ready: the solver loaded and warmed in ${Math.round(performance.now() - started)} ms.`;
    updateButtons();
  });
}

// ---- the document: choosing, editing, checking ----------------------------------------------------

function fillSelect(): void {
  const groups: [string, string[]][] = [
    ['Scenarios', BUNDLED.filter((b) => b.run !== 'sweep').map((b) => pathOf(b.file))],
    ['Sweeps', BUNDLED.filter((b) => b.run === 'sweep').map((b) => pathOf(b.file))],
    ['Your files', Object.keys(texts).filter((p) => p.startsWith('files/') && p.endsWith('.json'))],
  ];
  const label = (path: string) => {
    const bundled = BUNDLED.find((b) => pathOf(b.file) === path);
    return bundled ? `${bundled.file} — ${bundled.label}` : path.slice('files/'.length);
  };
  select.innerHTML = groups
    .filter(([, paths]) => paths.length > 0)
    .map(([name, paths]) => `<optgroup label="${escape(name)}">${paths.map((p) => `<option value="${escape(p)}">${escape(label(p))}</option>`).join('')}</optgroup>`)
    .join('');
  select.value = current;
}

function open(path: string): void {
  current = path;
  select.value = path;
  editor.value = texts[path] ?? '';
  $('current').textContent = `Editing ${path}${path.startsWith('scenarios/') ? ' (as bundled; your edits stay in this page)' : ''}.`;
  documentChanged();
}

/** A sweep's scenario path (beside the sweep), when the text is a sweep. */
function sweepScenario(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || 'network' in data) return undefined;
  const scenario = (data as { scenario?: unknown }).scenario;
  if (typeof scenario !== 'string') return undefined;
  const folder = current.includes('/') ? current.slice(0, current.lastIndexOf('/') + 1) : '';
  return folder + scenario;
}

function drawFeeder(): void {
  let data: unknown;
  try {
    data = JSON.parse(editor.value);
  } catch {
    return; // the last diagram stays while the text is not JSON
  }
  const scenarioPath = sweepScenario(data);
  if (scenarioPath !== undefined) {
    try {
      data = JSON.parse(texts[scenarioPath] ?? 'null');
    } catch {
      data = null;
    }
  }
  $('feeder').innerHTML = (scenarioPath ? `<p class="note">The sweep's scenario, ${escape(scenarioPath)}:</p>` : '') + feederSvg(feederModel(data));
}

let checkTimer: ReturnType<typeof setTimeout> | undefined;
let lastCheck = 0;

function documentChanged(): void {
  texts[current] = editor.value;
  checked = undefined;
  updateButtons();
  drawFeeder();
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 120);
}

function check(): void {
  $('validity').textContent = 'checking…';
  $('validity').className = 'badge';
  lastCheck = send(helper, { kind: 'check', file: current, edits: edits() }, (reply) => {
    handlers.delete(reply.id);
    if (reply.id !== lastCheck || reply.kind !== 'checked') return;
    checked = reply.checked;
    showProblems(reply.problems);
    $('warnings').innerHTML = (reply.checked?.warnings ?? []).map((w) => `<li>${escape(w)}</li>`).join('');
    $('validity').textContent = checked ? checked.description : `${reply.problems.length} problem${reply.problems.length === 1 ? '' : 's'}`;
    $('validity').className = `badge ${checked ? 'valid' : 'invalid'}`;
    updateButtons();
    // A valid sweep is planned in the runner too while the user reads it: its points, built and
    // validated now, are not built again when it runs (nothing is solved until the user asks).
    if (checked?.kind === 'sweep' && !running) send(runner, { kind: 'sweep-chunks', file: current, edits: edits() }, (r) => handlers.delete(r.id));
  });
}

/** `a.b[2].c` → ['a', 'b', 2, 'c'] (the paths the command line's messages name). */
function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) segments.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return segments;
}

/** Where in the editor's text the field at `path` is (its offset and length), when it is there. */
function locate(path: string): { offset: number; length: number } | undefined {
  if (path === '') return undefined;
  const tree = parseTree(editor.value);
  const segments = pathSegments(path);
  // The deepest part of the path the text has (a missing field is reported at its parent).
  for (let n = segments.length; n > 0 && tree; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) {
      const at = node.parent?.type === 'property' ? node.parent : node;
      return { offset: at.offset, length: at.length };
    }
  }
  return undefined;
}

const lineOf = (offset: number) => editor.value.slice(0, offset).split('\n').length;

function showProblems(problems: Problem[]): void {
  editor.classList.toggle('invalid', problems.length > 0);
  $('problems').innerHTML = problems
    .map((p, k) => {
      const at = locate(p.path);
      const where = `${p.file === current ? '' : `${p.file}: `}${p.path ? `<code>${escape(p.path)}</code>` : ''}${at ? ` (line ${lineOf(at.offset)})` : ''}`;
      return `<li data-problem="${k}" data-path="${escape(p.path)}">${where}${where ? ': ' : ''}${escape(p.message)}</li>`;
    })
    .join('');
  $('problems').querySelectorAll('li').forEach((li) => {
    li.addEventListener('click', () => {
      const at = locate(li.dataset.path ?? '');
      if (!at) return;
      editor.focus();
      editor.setSelectionRange(at.offset, at.offset + at.length);
    });
  });
}

function updateButtons(): void {
  const ready = document.body.dataset.ready === 'true' && !running && checked !== undefined;
  buttons.clear.disabled = !ready || checked?.kind !== 'scenario';
  buttons.simulate.disabled = !ready || checked?.kind !== 'scenario';
  buttons.sweep.disabled = !ready || checked?.kind !== 'sweep';
  cancel.disabled = !running;
}

// ---- the user's files -------------------------------------------------------------------------------

async function addFiles(files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const added: string[] = [];
  for (const file of files) {
    const path = `files/${file.name}`;
    texts[path] = await file.text();
    added.push(path);
  }
  fillSelect();
  // A sweep first (it names its scenario among the files), otherwise the first JSON file.
  const json = added.filter((p) => p.endsWith('.json'));
  const sweep = json.find((p) => {
    try {
      return sweepScenario(JSON.parse(texts[p]!)) !== undefined;
    } catch {
      return false;
    }
  });
  const first = sweep ?? json[0];
  if (first) open(first);
  else status.textContent = `Added ${added.join(', ')}: open the scenario that uses ${added.length === 1 ? 'it' : 'them'}.`;
}

$<HTMLInputElement>('file').addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  void addFiles([...(input.files ?? [])]);
  input.value = '';
});
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  void addFiles([...(event.dataTransfer?.files ?? [])]);
});

// ---- running ------------------------------------------------------------------------------------------

const VERB: Record<RunMode, [string, string]> = { clear: ['Clearing', 'Cleared'], simulate: ['Simulating', 'Simulated'], sweep: ['Sweeping', 'Swept'] };

type ReplyOf<K extends Reply['kind']> = Extract<Reply, { kind: K }>;

/** A run's request answered with problems or a failure. */
class RunStopped extends Error {
  constructor(readonly reply: ReplyOf<'problems'> | ReplyOf<'failed'>) {
    super(reply.kind);
  }
}

/** A request's answer (progress replies go to `onProgress`). */
function ask<K extends Reply['kind']>(worker: Worker, request: Unnumbered<Request>, onProgress?: (reply: ReplyOf<'progress'>) => void): Promise<ReplyOf<K>> {
  return new Promise((resolve, reject) => {
    send(worker, request, (reply) => {
      if (reply.kind === 'progress') return onProgress?.(reply);
      handlers.delete(reply.id);
      if (reply.kind === 'problems' || reply.kind === 'failed') reject(new RunStopped(reply));
      else resolve(reply as ReplyOf<K>);
    });
  });
}

/**
 * A sweep on both workers: the helper validates it and cuts its chunks (at once when it has
 * just checked the same text: it keeps the plan and its validated points), both workers take
 * the next chunk as they finish one (a point's result depends only on its chunk, so which
 * worker ran it changes nothing), and the helper makes the files from the results in point order.
 */
async function sweep(file: string, progressed: (done: number, total: number) => void): Promise<ReplyOf<'result'>> {
  const sent = edits();
  const { chunks } = await ask<'chunks'>(helper, { kind: 'sweep-chunks', file, edits: sent });
  const total = chunks.at(-1)?.to ?? 0;
  const results: ReplyOf<'points'>['results'][] = new Array(chunks.length);
  let next = 0;
  let done = 0;
  progressed(0, total);
  await Promise.all(
    [runner, helper].map(async (worker) => {
      while (next < chunks.length) {
        const k = next++;
        results[k] = (await ask<'points'>(worker, { kind: 'sweep-chunk', file, edits: sent, chunk: chunks[k]! })).results;
        done += results[k]!.length;
        progressed(done, total);
      }
    }),
  );
  return ask<'result'>(helper, { kind: 'sweep-files', file, edits: sent, results: results.flat() });
}

/** Runs started (a cancelled run's answers are ignored: its number is no longer the last). */
let runCount = 0;

async function run(mode: RunMode): Promise<void> {
  const file = current;
  const started = performance.now();
  const number = ++runCount;
  running = { mode, started };
  updateButtons();
  progress.hidden = mode === 'clear';
  progress.value = 0;
  status.textContent = `${VERB[mode][0]} ${file}…`;
  delete status.dataset.ms;
  const progressed = (done: number, total: number, unit = 'runs') => {
    if (number !== runCount) return;
    progress.max = total;
    progress.value = done;
    status.textContent = `${VERB[mode][0]} ${file}: ${done} of ${total} ${unit}…`;
  };
  try {
    const reply = mode === 'sweep' ? await sweep(file, progressed) : await ask<'result'>(runner, { kind: 'run', mode, file, edits: edits() }, (p) => progressed(p.done, p.total, p.unit));
    if (number !== runCount) return;
    const ms = performance.now() - started;
    finish();
    status.dataset.ms = ms.toFixed(1);
    status.dataset.workerMs = reply.ms.toFixed(1);
    status.textContent = `${VERB[mode][1]} ${file} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`}: ${reply.status}.`;
    showResult(mode, file, reply.status, reply.result, reply.files);
    if (reply.files['result.json'] !== undefined) draw(file, reply.files);
  } catch (e) {
    if (number !== runCount) return;
    finish();
    if (e instanceof RunStopped && e.reply.kind === 'problems') {
      showProblems(e.reply.problems);
      status.textContent = `${file} has problems (listed under the editor).`;
    } else {
      status.textContent = `The run failed: ${e instanceof RunStopped && e.reply.kind === 'failed' ? e.reply.message : String(e)}`;
    }
  }
}

function finish(): void {
  running = undefined;
  progress.hidden = true;
  updateButtons();
}

for (const mode of ['clear', 'simulate', 'sweep'] as const) buttons[mode].addEventListener('click', () => void run(mode));

cancel.addEventListener('click', () => {
  if (!running) return;
  // A solve cannot be interrupted from outside: the workers go, and fresh ones take their place.
  const { mode } = running;
  runCount++;
  handlers.clear();
  runner.terminate();
  helper.terminate();
  finish();
  document.body.dataset.ready = 'false';
  runner = startWorker();
  helper = startWorker();
  warm();
  check();
  status.textContent = `${VERB[mode][0]} cancelled.`;
});

// ---- results --------------------------------------------------------------------------------------------

let downloadUrls: string[] = [];

/** A number in full (data-value, for the tests and the curious) and as read (8 significant digits). */
const numberCell = (key: string, v: unknown) =>
  `<dt>${escape(key)}</dt><dd data-key="${escape(key)}" data-value="${escape(String(v))}">${escape(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8)))) : v === undefined || v === null ? '—' : String(v))}</dd>`;

function showResult(mode: RunMode, file: string, runStatus: string, result: Record<string, unknown>, files: Record<string, string>): void {
  $('results').hidden = false;
  const entries: [string, unknown][] = [['file', file], ['status', runStatus]];
  if (mode === 'sweep') {
    entries.push(['sweep', result.sweep], ['points', result.points], ['samples', result.samples]);
    for (const [s, n] of Object.entries((result.statuses ?? {}) as Record<string, number>)) entries.push([`runs ${s}`, n]);
  } else {
    entries.push(['objective', result.objective]);
    for (const [term, value] of Object.entries((result.objectiveTerms ?? {}) as Record<string, unknown>)) entries.push([`objective: ${term}`, value]);
    const settlement = result.settlement as Record<string, unknown> | undefined;
    if (settlement) entries.push(['social welfare', settlement.socialWelfare], ['network fees collected', settlement.feesCollected], ['congestion charges collected', settlement.congestionCollected]);
  }
  let html = `<dl>${entries.map(([k, v]) => numberCell(k, v)).join('')}</dl>`;
  const agents = ((result.settlement as { agents?: Record<string, unknown>[] } | undefined)?.agents ?? []) as Record<string, unknown>[];
  if (agents.length > 0) {
    const columns = ['agent', 'boughtKwh', 'soldKwh', 'totalCost', 'baselineCost', 'gain'].filter((c) => c in agents[0]!);
    html += `<table><caption>Per agent over the run (settlement.csv has every step)</caption><thead><tr>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr></thead><tbody>${agents
      .map((a) => `<tr>${columns.map((c) => `<td>${escape(typeof a[c] === 'number' ? String(Number((a[c] as number).toPrecision(8))) : String(a[c] ?? '—'))}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  }
  $('summary').innerHTML = html;

  for (const url of downloadUrls) URL.revokeObjectURL(url);
  downloadUrls = [];
  const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.json$/, '');
  $('downloads').innerHTML = Object.entries(files)
    .map(([name, text]) => {
      const url = URL.createObjectURL(new Blob([text], { type: name.endsWith('.json') ? 'application/json' : 'text/csv' }));
      downloadUrls.push(url);
      return `<li><a href="${url}" download="${escape(name)}" data-file="${escape(name)}">${escape(name)}</a> <span class="note">(${text.length.toLocaleString('en-US')} characters; the run of ${escape(base)})</span></li>`;
    })
    .join('');
  if (Object.keys(files).length === 0) $('downloads').innerHTML = '<li class="note">None: the command line writes no files when the market cannot be cleared.</li>';
  $('figures').innerHTML = Object.keys(files).length > 0 ? '<p class="note">Drawing…</p>' : '';
}

let lastDraw = 0;

/** The run's figures, drawn by the helper worker (the runner is free for the next run meanwhile). */
function draw(file: string, files: Record<string, string>): void {
  delete document.body.dataset.figures;
  lastDraw = send(helper, { kind: 'draw', name: file, files }, (reply) => {
    handlers.delete(reply.id);
    if (reply.id !== lastDraw) return;
    if (reply.kind === 'figures') showFigures(reply.figures);
    else if (reply.kind === 'failed') $('figures').textContent = `The figures could not be drawn: ${reply.message}`;
  });
}

function showFigures(figures: DrawnFigure[]): void {
  $('figures').innerHTML = figures
    .map((f) => `<figure data-figure="${escape(f.id)}"><h4>${escape(f.title)}</h4>${f.svg}<figcaption class="note">${escape(f.caption)}</figcaption></figure>`)
    .join('');
  document.body.dataset.figures = String(figures.length);
}

// ---- start ------------------------------------------------------------------------------------------------

editor.addEventListener('input', documentChanged);
select.addEventListener('change', () => open(select.value));
fillSelect();
open(current);
warm();

// Offline: the service worker keeps the site's files (only the built site has one: web/vite.config.ts).
declare const __SERVICE_WORKER__: boolean;
if (__SERVICE_WORKER__ && 'serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch(() => undefined);
}
