/**
 * The package as another project meets it (issue 16): `npm pack` makes the tarball that would be
 * published, a fresh project installs it (dependencies from npm's cache, as `npm ci` left it),
 * and plain `node` — no tsx, no TypeScript — runs, through `import … from 'p2pmarket'`:
 * a clearing, a simulation, an in-memory sweep on two worker threads, and a scenario changed
 * in code that comes back as an InputError naming its field. A CommonJS project does the same
 * through `await import('p2pmarket')`, and the installed `p2pmarket` command runs.
 *
 * dist/ is built by test/global-setup.ts before the tests; the pack skips the prepare script.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, temporaryFolder } from './helpers/cli.ts';

const run = promisify(execFile);
const { root } = temporaryFolder('p2pmarket-package-');
const project = join(root, 'project');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

const ESM = `
import { clearMarket, InputError, loadScenario, planSweep, runSweep, simulate } from 'p2pmarket';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const scenarios = createRequire(import.meta.url).resolve('p2pmarket/package.json').replace(/package\\.json$/, 'scenarios/');

const seed = loadScenario(scenarios + 'seed-4node.json');
const cleared = await clearMarket(seed);
console.log('clear', cleared.status, cleared.objective.toFixed(3));

const simulation = await simulate(loadScenario(scenarios + 'seed-time-horizons.json'));
console.log('simulate', simulation.status, simulation.windows.length, simulation.steps.length);

const base = JSON.parse(readFileSync(scenarios + 'seed-4node.json', 'utf8'));
const plan = planSweep({ scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1, 10] }] }, { 'base.json': base });
const runs = await runSweep(plan, { workers: 2 });
console.log('sweep', runs.length, runs.map((r) => r.clearing.objective.toFixed(3)).join(' '));

seed.prosumers[0].battery.initialKwh = 999;
try {
  await clearMarket(seed);
  console.log('changed: cleared');
} catch (e) {
  console.log('changed', e instanceof InputError, e.message);
}
`;

const CJS = `
(async () => {
  const { clearMarket, parseScenario } = await import('p2pmarket');
  const scenarios = require.resolve('p2pmarket/package.json').replace(/package\\.json$/, 'scenarios/');
  const seed = parseScenario(JSON.parse(require('node:fs').readFileSync(scenarios + 'seed-4node.json', 'utf8')), 'seed-4node.json');
  const result = await clearMarket(seed);
  console.log('cjs', result.status, result.objective.toFixed(3));
})();
`;

/** TypeScript that uses the typed API (compiled, not run). */
const TYPED = `
import { clearMarket, loadScenario, planSweep, runSweep, simulate, settle, acCheck, InputError, type ClearingResult, type Scenario, type SweepPointResult } from 'p2pmarket';
export async function use(file: string): Promise<number> {
  const scenario: Scenario = loadScenario(file);
  const result: ClearingResult = await clearMarket(scenario, { solver: 'highs', timeLimitSeconds: 10 });
  const simulated = await simulate(scenario);
  const rows = settle(scenario, result).rows.length + acCheck(scenario, result).steps.length;
  const plan = planSweep({ scenario: 'a.json', parameters: [] }, { 'a.json': JSON.stringify(scenario) });
  const points: SweepPointResult[] = await runSweep(plan);
  if (result.status === 'optimal' && !(result instanceof InputError)) return rows + simulated.steps.length + points.length + (result.objective ?? 0);
  return 0;
}
`;

describe('the packed package in a fresh project, with plain node', () => {
  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    await run(npm, ['pack', '--ignore-scripts', '--pack-destination', root, '--silent'], { cwd: ROOT, env });
    const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-p2pmarket', private: true, type: 'module' }));
    await run(npm, ['install', join(root, tarball), '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project, env, timeout: 180_000 });
    writeFileSync(join(project, 'plain.mjs'), ESM);
    writeFileSync(join(project, 'common.cjs'), CJS);
  }, 240_000);

  it('imports it as ESM: a clearing, a simulation, an in-memory sweep on worker threads, a changed scenario refused', async () => {
    const { stdout } = await run(process.execPath, ['plain.mjs'], { cwd: project, env, timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('clear optimal 89698.003');
    expect(lines[1]).toBe('simulate optimal 3 3');
    // The seed's objective at trade-volume weights 0 (its request tracking alone: 89,574.771), 1 and 10.
    expect(lines[2]).toBe('sweep 3 89574.771 101897.991 212806.972');
    expect(lines[3]).toBe('changed true scenario "seed-4node": prosumers[0].battery.initialKwh: 999 kWh lies outside [2, 12] kWh');
  }, 90_000);

  it('imports it from CommonJS with await import()', async () => {
    const { stdout } = await run(process.execPath, ['common.cjs'], { cwd: project, env, timeout: 60_000 });
    expect(stdout.trim()).toBe('cjs optimal 89698.003');
  }, 90_000);

  // A TypeScript project compiles against the declarations with every check on (no skipLibCheck)
  // and without Node's types: what the package declares must not need @types/node or the DOM.
  it('type-checks a TypeScript project against its declarations, without @types/node', async () => {
    writeFileSync(join(project, 'typed.ts'), TYPED);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], target: 'es2022', lib: ['es2023'], module: 'nodenext', moduleResolution: 'nodenext' }, files: ['typed.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, env, timeout: 120_000 }).catch((e: { stdout: string }) => e);
    // (Some dependencies' own declarations need the DOM's or Node's types: theirs, not ours.)
    const ours = checked.stdout.split('\n').filter((line) => /^(typed\.ts|node_modules\/p2pmarket\/)/.test(line));
    expect(ours).toEqual([]);
  }, 150_000);

  it('installs the p2pmarket command', async () => {
    const { stdout } = await run(process.execPath, [join(project, 'node_modules', 'p2pmarket', 'bin', 'p2pmarket.js'), 'clear', join(project, 'node_modules', 'p2pmarket', 'scenarios', 'seed-4node.json'), '--json', '--out', join(root, 'out')], { cwd: project, env, timeout: 60_000 });
    expect((JSON.parse(stdout) as { objective: number }).objective).toBeCloseTo(89698.003, 3);
  }, 90_000);
});
