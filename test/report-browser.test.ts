/**
 * The run report in a real headless browser (Debian's chromium, driven by playwright-core):
 * `sweep --plot` and `clear --plot` leave an index.html that opens from file://, draws every
 * figure, fetches nothing from the network and logs no error.
 *
 * The browser is found at $CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser.
 * Without one the test is skipped — unless P2PMARKET_BROWSER_TESTS=required (as .ci/run sets
 * it, after installing chromium), where a missing browser fails it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { p2pmarket, ROOT, temporaryFolder } from './helpers/cli.ts';

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const required = process.env.P2PMARKET_BROWSER_TESTS === 'required';
const { workDir } = temporaryFolder('p2pmarket-browser-');

interface Drawn {
  id: string;
  width: number;
  height: number;
  marks: number;
}

async function openReport(index: string): Promise<{ figures: Drawn[]; errors: string[]; external: string[] }> {
  const browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
    const figures = await page.$$eval('figure', (nodes) =>
      nodes.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: figure.getAttribute('data-figure') ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          // Data marks: vega gives each a role description ending in "mark", or naming it.
          marks: svg ? svg.querySelectorAll('[aria-roledescription="bar"], [aria-roledescription="point"], [aria-roledescription$=" mark"]').length : 0,
        };
      }),
    );
    return { figures, errors, external };
  } finally {
    await browser.close();
  }
}

describe.skipIf(!executablePath && !required)('the run report in a headless browser', () => {
  it('finds a browser', () => {
    expect(executablePath, 'no chromium: install Debian\'s chromium or set CHROMIUM_PATH').toBeDefined();
  });

  it('opens node-0 study B\'s report with every figure drawn', async () => {
    const dir = workDir('sweep');
    const out = join(dir, 'b');
    const run = await p2pmarket(['sweep', join(ROOT, 'scenarios', 'node0-sweep-b.json'), '--plot', '--quiet', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
    const { figures, errors, external } = await openReport(join(out, 'index.html'));
    expect(figures.map((f) => f.id)).toEqual(['sweep-state-of-charge', 'sweep-battery-power', 'sweep-objective']);
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(100);
      expect(f.height, f.id).toBeGreaterThan(100);
      expect(f.marks, f.id).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  }, 90_000);

  it('opens a clearing\'s report with every figure drawn', async () => {
    const dir = workDir('clear');
    const out = join(dir, 'seed');
    const run = await p2pmarket(['clear', join(ROOT, 'scenarios', 'seed-4node.json'), '--plot', '--quiet', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
    const { figures, errors, external } = await openReport(join(out, 'index.html'));
    expect(figures.map((f) => f.id)).toEqual(['net-injection', 'step-bars', 'state-of-charge', 'voltages', 'nodal-prices', 'line-flows', 'trade-prices']);
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(100);
      expect(f.height, f.id).toBeGreaterThan(50);
      expect(f.marks, f.id).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  }, 90_000);
});
