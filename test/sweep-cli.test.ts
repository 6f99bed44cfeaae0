/** `sweep` as users run it: killed part-way (SIGKILL), then resumed. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap } from './helpers/cli.ts';
import { withoutTimings } from './helpers/timing.ts';

const { workDir } = temporaryFolder('p2pmarket-sweep-');

describe('p2pmarket sweep, killed and resumed', () => {
  it('leaves nothing that looks complete when killed, and --resume ends as an uninterrupted run does', async () => {
    const dir = workDir('sweep-kill');
    const sweep = join(ROOT, 'scenarios', 'node0-sweep-a.json');
    const journal = join(dir, 'killed', '.sweep-journal');
    const child = spawn(process.execPath, [BIN, 'sweep', sweep, '--workers', '1', '--quiet', '--out', 'killed'], { cwd: dir });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill it once a few chunks are recorded, while others are still to come.
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      const chunks = existsSync(journal) ? readdirSync(journal).filter((f) => f.endsWith('.json')).length : 0;
      if (chunks >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = readdirSync(join(dir, 'killed'));
    expect(left).not.toContain('result.json');
    expect(left).not.toContain('runs.csv');
    const recorded = readdirSync(journal).filter((f) => f.endsWith('.json')).length;
    expect(recorded).toBeGreaterThanOrEqual(3);
    expect(recorded).toBeLessThan(13); // 201 points are 13 chunks of 16

    const [resumed, whole] = await Promise.all([
      p2pmarket(['sweep', sweep, '--workers', '2', '--resume', '--quiet', '--out', 'killed'], dir),
      p2pmarket(['sweep', sweep, '--workers', '1', '--quiet', '--out', 'whole'], dir),
    ]);
    expect([resumed.code, whole.code]).toEqual([0, 0]);
    expect(existsSync(journal)).toBe(false);
    for (const name of ['steps.csv', 'trades.csv', 'runs.csv', 'result.json']) {
      const [a, b] = [readFileSync(join(dir, 'killed', name), 'utf8'), readFileSync(join(dir, 'whole', name), 'utf8')];
      expect(withoutTimings(name, a), name).toBe(withoutTimings(name, b));
    }
  });
});

describe('p2pmarket sweep, bad input', () => {
  it('exits 2 naming a malformed path or range, and writes nothing', async () => {
    const dir = workDir('sweep-bad');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'sweep.json'),
      JSON.stringify({
        scenario: join(ROOT, 'scenarios', 'seed-node0.json'),
        parameters: [
          { path: 'utility.targetKw[7]', values: [1] },
          { path: 'prosumers[*].battery.maxChargeKw', from: 2, to: 1, step: 0.5 },
        ],
      }),
    );
    const r = await p2pmarket(['sweep', 'sweep.json', '--out', 'out'], dir);
    expect(r.code).toBe(2);
    expect(unwrap(r.stderr)).toContain('sweep.json: parameters[0].path: "utility.targetKw[7]": utility.targetKw[7] is beyond its 4 elements');
    expect(unwrap(r.stderr)).toContain('sweep.json: parameters[1].from: 2 is above "to" (1)');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
