/**
 * The web page's runs (web/src/runs.ts) and feeder diagram (web/src/feeder-diagram.ts) in Node,
 * without a browser: a clearing on texts in memory writes the CLI's files byte for byte (solve
 * times masked); `check` reports the CLI's problems naming the field; a sweep's chunks run out
 * of order give the files of the chunks in order; the diagram draws every bus, line and
 * prosumer. (test/web.test.ts drives the built page itself in Chromium.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { check, clearRun, sweepChunk, sweepChunks, sweepRun, sweepRunFiles } from '../web/src/runs.ts';
import { feederModel, feederSvg } from '../web/src/feeder-diagram.ts';
import { p2pmarket, ROOT, temporaryFolder } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-web-runs-');
const text = (file: string) => readFileSync(join(ROOT, 'scenarios', file), 'utf8');
const texts = (...files: string[]) => Object.fromEntries(files.map((f) => [`scenarios/${f}`, text(f)]));
/** A file with its wall-clock times blanked: JSON's "…Ms" numbers, the solveMs column of a CSV. */
function maskTimes(s: string): string {
  if (s.startsWith('{')) return s.replace(/("[A-Za-z]*Ms": )[-0-9.e+]+/g, '$10');
  const [header, ...rows] = s.split('\n');
  const k = header!.split(',').indexOf('solveMs');
  return k < 0 ? s : [header, ...rows.map((r) => r.split(',').map((c, j) => (j === k && c !== '' ? '0' : c)).join(','))].join('\n');
}

describe('the web page\'s runs in Node', () => {
  it('clears seed-bids on texts in memory into the CLI\'s files', async () => {
    const out = join(workDir('clear'), 'out');
    const [cli, run] = await Promise.all([p2pmarket(['clear', 'scenarios/seed-bids.json', '--quiet', '--out', out], ROOT), clearRun('scenarios/seed-bids.json', texts('seed-bids.json'))]);
    expect(cli.code, cli.stderr).toBe(0);
    const cliFiles = readdirSync(out).filter((f) => !f.startsWith('.')).sort();
    expect(Object.keys(run.files).sort()).toEqual(cliFiles);
    for (const name of cliFiles) expect(maskTimes(run.files[name]!), name).toBe(maskTimes(readFileSync(join(out, name), 'utf8')));
  });

  it('checks as `p2pmarket validate` does, naming the field', () => {
    expect(check('scenarios/seed-4node.json', texts('seed-4node.json')).description).toMatch(/^valid — "/);
    const data = JSON.parse(text('seed-4node.json')) as { steps: unknown };
    data.steps = -1;
    let problem: unknown;
    try {
      check('scenarios/seed-4node.json', { 'scenarios/seed-4node.json': JSON.stringify(data) });
    } catch (e) {
      problem = e;
    }
    expect(problem).toBeInstanceOf(InputError);
    expect((problem as InputError).file).toBe('scenarios/seed-4node.json');
    expect((problem as InputError).problems[0]!.path).toBe('steps');
  });

  it('gives a sweep\'s files whatever the order its chunks ran in (40 points of study B: 3 chunks)', async () => {
    const file = 'scenarios/b40.json';
    const sweep = { scenario: 'seed-node0-b.json', parameters: [{ name: 'step2RequestKw', path: 'utility.targetKw[2]', from: -20, to: 19, step: 1 }] };
    const files = { ...texts('seed-node0-b.json'), [file]: JSON.stringify(sweep) };
    const inOrder = await sweepRun(file, files);
    const chunks = await sweepChunks(file, files);
    expect(chunks).toHaveLength(3);
    const results = new Array(chunks.length);
    for (const k of chunks.map((_, k) => k).reverse()) results[k] = await sweepChunk(file, files, chunks[k]!);
    const shuffled = sweepRunFiles(file, files, results.flat());
    expect(maskTimes(shuffled.files['runs.csv']!)).toBe(maskTimes(inOrder.files['runs.csv']!));
    expect(shuffled.status).toBe('optimal');
  });

  it('draws every bus, line and prosumer of the 33-bus market', () => {
    const data = JSON.parse(text('ieee33-market.json')) as { network: { buses: unknown[]; lines: unknown[] }; prosumers: unknown[] };
    const svg = feederSvg(feederModel(data));
    expect(svg.match(/data-bus=/g)).toHaveLength(data.network.buses.length);
    expect(svg.match(/data-line=/g)).toHaveLength(data.network.lines.length);
    expect(svg.match(/data-prosumer=/g)).toHaveLength(data.prosumers.length);
  });
});
