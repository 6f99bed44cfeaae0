/**
 * Screenshots of the run reports in headless Chromium, compared with committed references
 * (test/screenshots/*.png) within a pixel tolerance: a figure or a table that changes beyond
 * it fails the test, which names it and leaves the new screenshot and a diff in
 * $TMPDIR/p2pmarket-screenshot-diffs/<report>/.
 *
 * The reports, made by the real commands (`--plot`), cover every kind of figure and report at
 * least once while the whole test stays under ~90 s on two cores:
 * - `clear` of seed-4node (penalties only: shadow prices, no currency settlement; four steps:
 *   dodged points, grouped bars), seed-bids (money: the settlement table), ieee33-day (24
 *   steps on 33 buses: heatmaps with rings at the limits, wrapped small multiples) and
 *   case33bw (one step, fixed loads only, an objective that holds nothing);
 * - `simulate` of seed-time-horizons (a simulation's report and settlement);
 * - `sweep` of node0-sweep-b (201 points: the step × battery grid), constraint-sweep (the
 *   limits in every panel) and a 40-sample stochastic seed sweep (fan charts, CDFs; the
 *   bundled stochastic-seed.json draws the same figures from 1,000 samples, ~25 s).
 * Left out as the same figures with other numbers: seed-node0, seed-node0-b, seed-constraints
 * (seed-4node's), ieee33-base (case33bw's), ieee33-market, ieee33-pv-day, seed-profiles
 * (ieee33-day's, with money), node0-sweep-a (node0-sweep-b's); pv-battery-study takes ~150 s;
 * ieee33-year is too large to clear whole.
 *
 * What is shot: every figure (`<figure>`), the Summary and the Settlement sections, and the
 * Tables section when it is short (long tables would only repeat the CSV files), all cut from
 * one full-page screenshot. Rendering is deterministic: a fixed viewport and device scale,
 * DejaVu Sans (the reports' first font, installed on Debian), no animation, a page never
 * scrolled, and the report holds no timestamp or timing (the solver line names iterations,
 * not milliseconds).
 *
 * Regenerate the references after an intended change, then look at them before committing:
 *   P2PMARKET_UPDATE_SCREENSHOTS=1 npx vitest run test/report-screenshots.test.ts
 * Browser: as test/report-browser.test.ts ($CHROMIUM_PATH, /usr/bin/chromium; skipped
 * without one unless P2PMARKET_BROWSER_TESTS=required).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pixelmatch from 'pixelmatch';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { p2pmarket, ROOT, temporaryFolder } from './helpers/cli.ts';

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const required = process.env.P2PMARKET_BROWSER_TESTS === 'required';
const update = process.env.P2PMARKET_UPDATE_SCREENSHOTS === '1';
const REFERENCES = join(ROOT, 'test', 'screenshots');
const { workDir } = temporaryFolder('p2pmarket-screenshots-');

/**
 * pixelmatch's per-pixel colour threshold (0–1; anti-aliased edges are not counted), and the
 * pixels of a shot allowed to differ beyond it: a few, so that a changed colour of a handful
 * of small marks (a step's points) is seen.
 */
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFFERENT_PIXELS = 20;
/** A Tables section taller than this is not shot (the CSV files hold the numbers). */
const MAX_TABLES_HEIGHT = 1500;

interface Report {
  name: string;
  args: string[];
}

const scenario = (file: string) => join(ROOT, 'scenarios', file);
const REPORTS: Report[] = [
  { name: 'clear-seed-4node', args: ['clear', scenario('seed-4node.json')] },
  { name: 'clear-seed-bids', args: ['clear', scenario('seed-bids.json')] },
  { name: 'clear-ieee33-day', args: ['clear', scenario('ieee33-day.json')] },
  { name: 'clear-case33bw', args: ['clear', scenario('case33bw.json')] },
  { name: 'simulate-seed-time-horizons', args: ['simulate', scenario('seed-time-horizons.json')] },
  { name: 'sweep-node0-b', args: ['sweep', scenario('node0-sweep-b.json')] },
  { name: 'sweep-constraint', args: ['sweep', scenario('constraint-sweep.json')] },
  { name: 'sweep-stochastic-40', args: ['sweep', 'STOCHASTIC'] },
];

/** Runs the commands two at a time (two cores). */
async function makeReports(dir: string): Promise<Map<string, string>> {
  const stochastic = join(dir, 'stochastic-40.json');
  const seed = JSON.parse(readFileSync(scenario('stochastic-seed.json'), 'utf8'));
  writeFileSync(stochastic, JSON.stringify({ ...seed, scenario: scenario(seed.scenario), samples: 40 }));
  const out = new Map<string, string>();
  const queue = [...REPORTS];
  const worker = async () => {
    for (let report = queue.shift(); report; report = queue.shift()) {
      const folder = join(dir, report.name);
      const args = report.args.map((a) => (a === 'STOCHASTIC' ? stochastic : a));
      const run = await p2pmarket([...args, '--plot', '--quiet', '--out', folder], dir);
      expect(run.code, `${report.name}: ${run.stderr}`).toBe(0);
      out.set(report.name, join(folder, 'index.html'));
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** The part of a page's PNG inside a box (CSS pixels, device scale 1), rounded to whole pixels. */
function crop(page: PNG, box: { x: number; y: number; width: number; height: number }): Buffer {
  const x = Math.max(0, Math.round(box.x));
  const y = Math.max(0, Math.round(box.y));
  const width = Math.min(page.width - x, Math.round(box.width));
  const height = Math.min(page.height - y, Math.round(box.height));
  const out = new PNG({ width, height });
  PNG.bitblt(page, out, x, y, width, height, 0, 0);
  return PNG.sync.write(out);
}

/**
 * Every shot of one report, as name → PNG bytes: one full-page screenshot, never scrolled,
 * cut into its figures and sections (element screenshots scroll the page, and text drawn at
 * another sub-pixel offset differs in its anti-aliasing).
 */
async function shoot(browser: Browser, index: string): Promise<Map<string, Buffer>> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  try {
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
    await page.evaluate('document.fonts.ready.then(() => true)'); // (a string: the tests are typed without the DOM)
    const boxes: { name: string; x: number; y: number; width: number; height: number }[] = await page.evaluate(`
      [...document.querySelectorAll('figure')].map((e) => ({ name: 'figure-' + e.dataset.figure, e }))
        .concat([...document.querySelectorAll('section')].map((e) => ({ name: 'section-' + (e.querySelector('h2')?.textContent ?? '').trim().toLowerCase().replace(/\\W+/g, '-'), e })))
        .filter(({ name }) => name !== 'section-figures' && name !== 'section-')
        .map(({ name, e }) => { const r = e.getBoundingClientRect(); return { name, x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; })
    `);
    const full = PNG.sync.read(await page.screenshot({ fullPage: true, animations: 'disabled' }));
    const shots = new Map<string, Buffer>();
    for (const box of boxes) {
      if (box.name === 'section-tables' && box.height > MAX_TABLES_HEIGHT) continue;
      shots.set(box.name, crop(full, box));
    }
    return shots;
  } finally {
    await page.close();
  }
}

/** The differing pixels of two PNGs (Infinity when their sizes differ), and a diff image. */
function compare(expected: Buffer, actual: Buffer): { different: number; total: number; diff?: Buffer; sizes: string } {
  const a = PNG.sync.read(expected);
  const b = PNG.sync.read(actual);
  const sizes = `${a.width}×${a.height} → ${b.width}×${b.height}`;
  if (a.width !== b.width || a.height !== b.height) return { different: Infinity, total: a.width * a.height, sizes };
  const diff = new PNG({ width: a.width, height: a.height });
  const different = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: PIXEL_THRESHOLD });
  return { different, total: a.width * a.height, diff: PNG.sync.write(diff), sizes };
}

describe.skipIf(!executablePath && !required)('report screenshots against their references', () => {
  let browser: Browser;
  let reports: Map<string, string>;
  beforeAll(async () => {
    expect(executablePath, 'no chromium: install Debian\'s chromium or set CHROMIUM_PATH').toBeDefined();
    reports = await makeReports(workDir('runs'));
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--disable-lcd-text'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const { name } of REPORTS) {
    it(`${name}: every shot as its reference`, async () => {
      const shots = await shoot(browser, reports.get(name)!);
      expect(shots.size, `${name}: nothing shot`).toBeGreaterThan(0);
      const mine = readdirSync(existsSync(REFERENCES) ? REFERENCES : ROOT).filter((f) => f.startsWith(`${name}--`));
      if (update) {
        mkdirSync(REFERENCES, { recursive: true });
        for (const file of mine) rmSync(join(REFERENCES, file));
        for (const [shot, png] of shots) writeFileSync(join(REFERENCES, `${name}--${shot}.png`), png);
        return;
      }
      const failures: string[] = [];
      const folder = join(tmpdir(), 'p2pmarket-screenshot-diffs', name);
      mkdirSync(folder, { recursive: true });
      for (const [shot, png] of shots) {
        const file = `${name}--${shot}.png`;
        const reference = join(REFERENCES, file);
        if (!existsSync(reference)) {
          failures.push(`${shot}: no reference ${file} (P2PMARKET_UPDATE_SCREENSHOTS=1 writes it)`);
          continue;
        }
        const { different, total, diff, sizes } = compare(readFileSync(reference), png);
        if (different > MAX_DIFFERENT_PIXELS) {
          writeFileSync(join(folder, file), png);
          if (diff) writeFileSync(join(folder, file.replace(/\.png$/, '.diff.png')), diff);
          failures.push(`${shot}: ${Number.isFinite(different) ? `${different} of ${total} pixels differ` : `size changed ${sizes}`} (new shot and diff in ${folder})`);
        }
      }
      const gone = mine.filter((f) => !shots.has(f.slice(name.length + 2, -'.png'.length)));
      for (const f of gone) failures.push(`${f}: a reference with no shot (the figure or section is gone)`);
      expect(failures, failures.join('\n')).toEqual([]);
    }, 60_000);
  }
});
