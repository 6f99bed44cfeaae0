/**
 * What the commands print (issue 16): nothing wider than 120 columns, a one-screen summary for
 * large feeders with the files named (every table with --verbose), and money named for what
 * it is — shadow prices in objective units where the objective holds no money, no settlement
 * in currency then, and a word when the objective holds nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitTable, visibleWidth, wrap } from '../src/output/terminal.ts';
import { objectiveKind } from '../src/market/money.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-terminal-');
const scenario = (name: string) => join(ROOT, 'scenarios', `${name}.json`);
const widest = (text: string) => Math.max(...text.split('\n').map(visibleWidth));

describe('fitTable and wrap', () => {
  it('splits a table wider than the page into parts that each repeat the key column, losing no cell', () => {
    const head = ['agent', ...Array.from({ length: 30 }, (_, k) => `column ${k}`)];
    const rows = ['a', 'b', 'c'].map((id) => [id, ...Array.from({ length: 30 }, (_, k) => `${id}${k * 1000}`)]);
    const text = fitTable(head, rows);
    expect(widest(text)).toBeLessThanOrEqual(120);
    const parts = text.split('\n').filter((l) => l.startsWith('│ agent'));
    expect(parts.length).toBeGreaterThan(1);
    for (const row of rows) for (const cell of row.slice(1)) expect(text).toContain(` ${cell} `);
    // A table that fits is one table, as drawn.
    expect(fitTable(['a', 'b'], [['1', '2']]).split('\n').filter((l) => l.startsWith('│ a')).length).toBe(1);
  });

  it('wraps prose at spaces within the width, with an indent', () => {
    const line = Array.from({ length: 60 }, (_, k) => `word${k}`).join(' ');
    const text = wrap(line, '  ', 50);
    expect(widest(text)).toBeLessThanOrEqual(50);
    expect(text.replace(/\n {2}/g, ' ')).toBe(line);
  });
});

describe('objectiveKind', () => {
  it('names the bundled scenarios: penalties only, money, nothing', () => {
    const read = (name: string) => JSON.parse(readFileSync(scenario(name), 'utf8')) as Parameters<typeof objectiveKind>[0];
    expect(objectiveKind(read('seed-4node'))).toBe('penalties');
    expect(objectiveKind(read('seed-bids'))).toBe('money');
    expect(objectiveKind(read('ieee33-market'))).toBe('money');
    expect(objectiveKind(read('ieee33-base'))).toBe('nothing');
  });
});

describe('what clear and simulate print', () => {
  it.concurrent('the 33-bus day: a summary of one line per step in one screen; --verbose every table; never wider than 120', async () => {
    const dir = workDir('day');
    const [summary, verbose] = await Promise.all([
      p2pmarket(['clear', scenario('ieee33-day'), '--out', 's'], dir),
      p2pmarket(['clear', scenario('ieee33-day'), '--out', 'v', '--verbose'], dir),
    ]);
    expect(summary.code).toBe(0);
    expect(verbose.code).toBe(0);
    const lines = summary.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(60);
    expect(widest(summary.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(summary.stdout)).toMatch(/24 steps, .* one line per step \(every table: --verbose\)/);
    expect(unwrap(summary.stdout)).toMatch(/shadow prices \/kWh/);
    // No price repeated across a line (the old price line said "0.7566" 56 times).
    for (const line of lines) expect(line.split('0.7566').length - 1).toBeLessThanOrEqual(1);
    expect(verbose.stdout.split('\n').length).toBeGreaterThan(10 * lines.length);
    expect(widest(verbose.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(verbose.stdout)).toMatch(/Step 23 \(hours 23–24\)/);
  });

  it.concurrent('the seed (penalties only): shadow prices in objective units, no settlement in currency', async () => {
    const run = await p2pmarket(['clear', scenario('seed-4node'), '--out', 'o'], workDir('seed'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/objective 89698\.003\d+ \(objective units\)/);
    expect(unwrap(run.stdout)).toMatch(/shadow prices, objective units per kWh, to the seller: utility→p1 507\.5000/);
    expect(run.stdout).not.toMatch(/Settlement \(currency/);
    expect(unwrap(run.stdout)).toMatch(/No settlement in currency/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('bids and a tariff: prices and the settlement in currency, fitting the page', async () => {
    const run = await p2pmarket(['clear', scenario('seed-bids'), '--out', 'o'], workDir('bids'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/\(currency\)/);
    expect(unwrap(run.stdout)).toMatch(/prices per kWh, to the seller/);
    expect(unwrap(run.stdout)).toMatch(/Settlement \(currency;/);
    expect(unwrap(run.stdout)).toMatch(/gain/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('an objective that holds nothing says so', async () => {
    const run = await p2pmarket(['clear', scenario('ieee33-base'), '--out', 'o'], workDir('nothing'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/the objective holds nothing to optimise/);
    expect(run.stdout).not.toMatch(/Settlement \(currency/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('a simulation fits the page', async () => {
    const run = await p2pmarket(['simulate', scenario('seed-time-horizons'), '--out', 'o'], workDir('sim'));
    expect(run.code).toBe(0);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(run.stdout)).toMatch(/battery states at the windows' start/);
  });
});
