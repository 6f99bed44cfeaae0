/**
 * The web page (web/, issue 19) as a user meets it: the BUILT site (npm run build:web, built
 * here from the sources as they are) served by a tiny http server on 127.0.0.1, opened in
 * Debian's headless Chromium (playwright-core). It loads; the seed clears in the page (timed),
 * the figures are drawn — the very SVG `p2pmarket clear --plot` draws — and the numbers shown
 * are the CLI's result.json's; every file offered for download is the CLI's, byte for byte
 * (solve times masked); a field edited to an invalid value gets the CLI's message naming it;
 * node-0 study B runs in the page (timed) and its runs.csv is the CLI's; a sweep can be
 * cancelled; with the server gone, the page reloads and clears from its service worker's cache.
 * Nothing is requested from anywhere but the page's server, and the page logs no error.
 *
 * The browser is found as in report-browser.test.ts ($CHROMIUM_PATH, /usr/bin/chromium,
 * /usr/bin/chromium-browser); without one the test is skipped unless
 * P2PMARKET_BROWSER_TESTS=required.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { p2pmarket, ROOT, temporaryFolder } from './helpers/cli.ts';

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const required = process.env.P2PMARKET_BROWSER_TESTS === 'required';
const { workDir } = temporaryFolder('p2pmarket-web-');
const SITE = join(ROOT, 'web', 'dist');

/**
 * A time limit of the issue (measured on this 2-core machine when it is otherwise idle),
 * stretched by how much busier than that the machine is now (the load average over its cores),
 * so that other work on a shared machine does not fail the test; the log says when it did.
 */
function limitMs(ms: number, what: string): number {
  const busy = loadavg()[0]! / availableParallelism();
  if (busy <= 1) return ms;
  console.log(`web: the machine is busy (load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores): ${what} allowed ${(ms * busy).toFixed(0)} ms instead of ${ms} ms`);
  return ms * busy;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** A static file server for `dir` on 127.0.0.1 (what any static host does). */
function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** A run's file with its wall-clock times blanked: the solveMs column of a CSV, the "…Ms" numbers of JSON. */
function masked(name: string, text: string): string {
  if (name.endsWith('.json')) return text.replace(/("[A-Za-z]*Ms": )[-0-9.e+]+/g, '$10');
  const lines = text.split('\n');
  const header = lines[0]!.split(',');
  const timed = header.map((c, k) => (/Ms$/.test(c) ? k : -1)).filter((k) => k >= 0);
  if (timed.length === 0) return text;
  // No quoted commas in the files that have timings (runs.csv).
  return [lines[0], ...lines.slice(1).map((line) => line.split(',').map((cell, k) => (timed.includes(k) && cell !== '' ? '0' : cell)).join(','))].join('\n');
}

/** Every file the page offers is the CLI's in `dir`, byte for byte (solve times masked), and the CLI's are all offered. */
async function expectCliFiles(page: Page, dir: string): Promise<void> {
  const files = await downloads(page);
  const cliFiles = readdirSync(dir).filter((f) => !f.startsWith('.') && (f.endsWith('.csv') || f.endsWith('.json'))); // not the folder's marker (.p2pmarket-run.json)
  expect(Object.keys(files).sort()).toEqual(cliFiles.sort());
  for (const [name, text] of Object.entries(files)) expect(masked(name, text), name).toBe(masked(name, readFileSync(join(dir, name), 'utf8')));
}

/**
 * One file downloaded by a click on its link. Chromium drops a download now and then when a page
 * starts many in quick succession (its guard against automatic downloads; seen on a quiet
 * machine, the 11th or 12th of a run's files): clicks are spaced, and a click that starts no
 * download within 10 s is made again, twice at most.
 */
async function downloadOne(page: Page, name: string) {
  for (let attempt = 1; ; attempt++) {
    await page.waitForTimeout(250);
    try {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click(`#downloads a[download="${name}"]`)]);
      return download;
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(`web: the click on ${name} started no download; clicking again`);
    }
  }
}

/** The text of every file the page offers for download, fetched as the user's click downloads it. */
async function downloads(page: Page): Promise<Record<string, string>> {
  const names = await page.$$eval('#downloads a[download]', (links) => links.map((a) => a.getAttribute('download')!));
  const files: Record<string, string> = {};
  for (const name of names) {
    const download = await downloadOne(page, name);
    expect(download.suggestedFilename()).toBe(name);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    files[name] = Buffer.concat(chunks).toString('utf8');
  }
  return files;
}

/** Clicks a run button and waits for the run's result; the page's own measure (ms from the click to the result shown). */
async function runAndWait(page: Page, button: string, timeout = 30_000): Promise<number> {
  await page.waitForSelector(`#${button}:not([disabled])`, { timeout });
  await page.click(`#${button}`);
  await page.waitForSelector('#status[data-ms]', { timeout });
  return Number(await page.getAttribute('#status', 'data-ms'));
}

async function choose(page: Page, path: string): Promise<void> {
  await page.selectOption('#bundled', path);
  await page.waitForSelector('#validity.valid', { timeout: 20_000 });
}

describe.skipIf(!executablePath && !required)('the market in a web page', () => {
  let browser: Browser;
  let site: { server: Server; origin: string };
  let page: Page;
  const errors: string[] = [];
  const external: string[] = [];
  let cliClear: string;
  let cliSweep: string;
  let cliSimulate: string;

  beforeAll(async () => {
    expect(executablePath, 'no chromium: install Debian\'s chromium or set CHROMIUM_PATH').toBeDefined();
    // The site from the sources as they are (a few seconds), and the CLI's runs to compare with.
    const built = promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT });
    const dir = workDir('cli');
    cliClear = join(dir, 'clear');
    cliSweep = join(dir, 'sweep');
    cliSimulate = join(dir, 'simulate');
    const [clear, sweep, simulate] = await Promise.all([
      p2pmarket(['clear', 'scenarios/seed-4node.json', '--plot', '--quiet', '--out', cliClear], ROOT),
      p2pmarket(['sweep', 'scenarios/node0-sweep-b.json', '--quiet', '--out', cliSweep], ROOT),
      p2pmarket(['simulate', 'scenarios/seed-time-horizons.json', '--quiet', '--out', cliSimulate], ROOT),
      built,
    ]);
    expect(simulate.code, simulate.stderr).toBe(0);
    expect(clear.code, clear.stderr).toBe(0);
    expect(sweep.code, sweep.stderr).toBe(0);
    site = await serve(SITE);
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ acceptDownloads: true, serviceWorkers: 'allow' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(site.origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  it('loads, clears the seed within 50 ms, draws the CLI\'s figures, shows its numbers and offers its files', async () => {
    const loading = Date.now();
    await page.goto(`${site.origin}/`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    const loadMs = Date.now() - loading;
    await choose(page, 'scenarios/seed-4node.json');
    // The feeder: the seed's 4 buses, 3 lines, 3 prosumers.
    expect(await page.$$eval('#feeder [data-bus]', (n) => n.length)).toBe(4);
    expect(await page.$$eval('#feeder [data-line]', (n) => n.length)).toBe(3);
    expect(await page.$$eval('#feeder [data-prosumer]', (n) => n.length)).toBeGreaterThan(0);

    // The best of three clearings (the first after load counts too): under 50 ms from the click to the numbers.
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      if (k > 0) await page.evaluate("document.getElementById('status').removeAttribute('data-ms')");
      times.push(await runAndWait(page, 'clear'));
    }
    console.log(`web: page loaded and warm in ${loadMs} ms; seed clearings ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    expect(Math.min(...times)).toBeLessThan(limitMs(50, 'the seed\'s clearing'));

    const result = JSON.parse(readFileSync(join(cliClear, 'result.json'), 'utf8')) as { objective: number; settlement: { socialWelfare: number } };
    expect(await page.getAttribute('dd[data-key="objective"]', 'data-value')).toBe(String(result.objective));
    expect(await page.getAttribute('dd[data-key="social welfare"]', 'data-value')).toBe(String(result.settlement.socialWelfare));
    expect(await page.textContent('dd[data-key="status"]')).toBe('optimal');

    // The figures: those `clear --plot` drew, the same SVG.
    await page.waitForSelector('body[data-figures]', { timeout: 20_000 });
    const figures = await page.$$eval('#figures figure', (nodes) => nodes.map((f) => ({ id: f.getAttribute('data-figure')!, svg: f.querySelector('svg')!.outerHTML, width: f.querySelector('svg')!.getBoundingClientRect().width })));
    const cliFigures = readdirSync(join(cliClear, 'figures')).filter((f) => f.endsWith('.svg')).map((f) => f.slice(0, -4)).sort();
    expect(figures.map((f) => f.id).sort()).toEqual(cliFigures);
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(100);
      const cli = readFileSync(join(cliClear, 'figures', `${f.id}.svg`), 'utf8');
      // The same marks and numbers (the DOM serialises the SVG in its own way: compare the drawn paths and texts).
      const marks = (svg: string) => [...svg.matchAll(/ d="([^"]*)"|>([^<>]+)</g)].map((m) => m[1] ?? m[2]).join('|');
      expect(marks(f.svg), f.id).toBe(marks(cli));
    }

    // Every file offered is the CLI's, byte for byte (solve times masked); and the CLI's are all offered.
    await expectCliFiles(page, cliClear);
  });

  it('names the field a bad edit breaks, with the CLI\'s message, and disables running', async () => {
    const text = readFileSync(join(ROOT, 'scenarios', 'seed-4node.json'), 'utf8');
    const data = JSON.parse(text) as { prosumers: { battery?: { maxKwh: unknown } }[] };
    const k = data.prosumers.findIndex((p) => p.battery);
    data.prosumers[k]!.battery!.maxKwh = 'lots';
    await page.fill('#editor', JSON.stringify(data, null, 2));
    const problem = await page.waitForSelector(`#problems li[data-path="prosumers[${k}].battery.maxKwh"]`, { timeout: 10_000 });
    expect(await problem.textContent()).toMatch(/prosumers\[\d\]\.battery\.maxKwh \(line \d+\): .*number/);
    expect(await page.isDisabled('#clear')).toBe(true);
    await page.fill('#editor', '{ "name": "x", ');
    await page.waitForSelector('#problems li:has-text("malformed JSON at line 1")', { timeout: 10_000 });
    await page.fill('#editor', text); // back as it was
    await page.waitForSelector('#validity.valid', { timeout: 10_000 });
  });

  it('simulates the rolling-horizon seed, every file the CLI\'s', async () => {
    await choose(page, 'scenarios/seed-time-horizons.json');
    await page.evaluate("document.getElementById('status').removeAttribute('data-ms')");
    await runAndWait(page, 'simulate', 60_000);
    expect(await page.textContent('dd[data-key="status"]')).toBe('optimal');
    await expectCliFiles(page, cliSimulate);
  });

  it('runs node-0 study B (201 clearings) within 5 s, its runs.csv the CLI\'s byte for byte, and cancels a sweep', async () => {
    await choose(page, 'scenarios/node0-sweep-b.json');
    await page.evaluate("document.getElementById('status').removeAttribute('data-ms')");
    const ms = await runAndWait(page, 'sweep', 40_000);
    console.log(`web: node-0 study B, 201 clearings in ${(ms / 1000).toFixed(2)} s`);
    expect(ms).toBeLessThan(limitMs(5000, 'study B'));
    expect(await page.getAttribute('dd[data-key="runs optimal"]', 'data-value')).toBe('201');
    const files = await downloads(page);
    expect(masked('runs.csv', files['runs.csv']!)).toBe(masked('runs.csv', readFileSync(join(cliSweep, 'runs.csv'), 'utf8')));
    await page.waitForSelector('body[data-figures]');
    expect(await page.$$eval('#figures figure svg', (n) => n.length)).toBeGreaterThan(0);

    // Cancel: the run stops, the page says so, and it is ready for the next.
    await page.evaluate("document.getElementById('status').removeAttribute('data-ms')");
    await page.click('#sweep');
    await page.waitForFunction("Number(document.getElementById('progress').value) > 0", undefined, { timeout: 10_000 });
    await page.click('#cancel');
    expect(await page.textContent('#status')).toMatch(/cancelled/);
    await page.waitForSelector('#sweep:not([disabled])', { timeout: 20_000 });
    expect(await page.getAttribute('#status', 'data-ms')).toBeNull();
  });

  it('works offline once loaded: the server gone, the page reloads and clears', async () => {
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await new Promise<void>((resolve) => {
      site.server.close(() => resolve());
      site.server.closeAllConnections();
    });
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    await choose(page, 'scenarios/seed-4node.json');
    await runAndWait(page, 'clear');
    expect(await page.textContent('dd[data-key="status"]')).toBe('optimal');
    expect(external).toEqual([]);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
