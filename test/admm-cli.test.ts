/**
 * The negotiated clearing through the real command (bin/p2pmarket.js): `clear --clearing admm`
 * writes negotiation.csv and the comparison with the central optimum, twice the same bytes; a
 * scenario it cannot negotiate exits 2 naming the field and writes nothing; a negotiation that
 * runs out of iterations exits 3 with its traces written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-admm-cli-');
const SEED_BIDS = join(ROOT, 'scenarios', 'seed-bids.json');

describe('p2pmarket clear --clearing admm', () => {
  it('negotiates seed-bids.json to the central optimum, with negotiation.csv, byte for byte the same twice', async () => {
    const cwd = workDir('bids');
    const [a, b] = await Promise.all([
      p2pmarket(['clear', SEED_BIDS, '--clearing', 'admm', '--out', 'a', '--plot'], cwd),
      p2pmarket(['clear', SEED_BIDS, '--clearing', 'admm', '--out', 'b', '--json'], cwd),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(unwrap(a.stdout)).toMatch(/Negotiated clearing \(ADMM, synchronous\): converged in [\d,]+ iterations/);
    expect(unwrap(a.stdout)).toMatch(/central optimum: objective 991\.945\d/);
    const csv = readFileSync(join(cwd, 'a', 'negotiation.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('run,window,iteration,timeMs,primalResidualKw,dualResidualPerKwh,primalToleranceKw,dualTolerancePerKwh,rho,volumePricePerKwh,objectiveGap,messages');
    expect(csv).toBe(readFileSync(join(cwd, 'b', 'negotiation.csv'), 'utf8'));
    expect(readFileSync(join(cwd, 'a', 'negotiation-prices.csv'), 'utf8').split('\n')[0]).toBe('run,window,iteration,t,from,to,fromPricePerKwh,toPricePerKwh,kw,centralPricePerKwh');
    // The figures and the report's comparison.
    for (const figure of ['negotiation-residuals', 'negotiation-pair-prices']) expect(readFileSync(join(cwd, 'a', 'figures', `${figure}.svg`), 'utf8')).toMatch(/aria-roledescription="line mark"/);
    const html = readFileSync(join(cwd, 'a', 'index.html'), 'utf8');
    expect(html).toMatch(/<h2>Negotiated and central clearing<\/h2>/);
    expect(html).toMatch(/Every agent&#39;s price per step, per kWh: negotiated and central/);
    const result = JSON.parse(b.stdout);
    expect(result.status).toBe('optimal');
    expect(result.solver.backend).toBe('admm');
    expect(result.negotiation.gaps.objectiveRelative).toBeLessThan(1e-4);
    expect(result.negotiation.gaps.maxTradePricePerKwh).toBeLessThan(1e-3);
    expect(result.negotiation.central.objective).toBeCloseTo(991.9457, 3);
    // The value of trading is computed (its baseline cleared centrally).
    expect(result.settlement.baseline.status).toBe('optimal');
  }, 60_000);

  it('refuses a pool market (exit 2, the field named, nothing written), and runs out of iterations with exit 3 and its traces', async () => {
    const cwd = workDir('refused');
    const pool = JSON.parse(readFileSync(SEED_BIDS, 'utf8'));
    pool.market = { ...pool.market, tradeGraph: 'pool', pairPreferences: [] };
    delete pool.$schema;
    writeFileSync(join(cwd, 'pool.json'), JSON.stringify(pool));
    const short = JSON.parse(readFileSync(SEED_BIDS, 'utf8'));
    short.market = { ...short.market, clearing: 'admm', admm: { maxIterations: 30 } };
    delete short.$schema;
    writeFileSync(join(cwd, 'short.json'), JSON.stringify(short));
    const [refused, shortRun] = await Promise.all([
      p2pmarket(['clear', 'pool.json', '--clearing', 'admm', '--out', 'pool'], cwd),
      p2pmarket(['clear', 'short.json', '--out', 'short'], cwd),
    ]);
    expect(refused.code).toBe(2);
    expect(unwrap(refused.stderr)).toMatch(/pool\.json: market\.tradeGraph: "pool" is not supported by the negotiated clearing/);
    expect(refused.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(join(cwd, 'pool'))).toBe(false);
    expect(shortRun.code).toBe(3);
    expect(unwrap(shortRun.stderr)).toMatch(/NOT converged in 30 iterations/);
    expect(readFileSync(join(cwd, 'short', 'negotiation.csv'), 'utf8').trim().split('\n')).toHaveLength(31);
    expect(JSON.parse(readFileSync(join(cwd, 'short', 'result.json'), 'utf8')).status).toBe('not_converged');
  }, 60_000);

  it('negotiates every window of a simulation (simulate --clearing admm)', async () => {
    const cwd = workDir('simulate');
    const run = await p2pmarket(['simulate', join(ROOT, 'scenarios', 'seed-time-horizons.json'), '--clearing', 'admm', '--out', 'sim', '--quiet'], cwd);
    expect(run.code, run.stderr).toBe(0);
    const rows = readFileSync(join(cwd, 'sim', 'negotiation.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['0', '1', '2']));
  }, 60_000);
});
