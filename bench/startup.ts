/**
 * Start-up as a user meets it (issue 16): whole processes, wall time, median of several runs,
 * each against a bare Node start (`node -e 0`) measured in the same run, interleaved so that
 * load on the machine falls on all alike.
 *
 * Aims: `p2pmarket --help` within 0.25 s of a bare start; `clear` of the seed's case in 0.4 s;
 * study B (scenarios/node0-sweep-b.json, 201 clearings) in 1 s — both as whole processes.
 * The commands run the compiled dist/ (bin/p2pmarket.js), as an installed package does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'p2pmarket.js');

export interface StartupRow {
  aim: string;
  limit: string;
  medianSeconds: number;
  bareSeconds: number;
  /** The process's time over a bare Node start's. */
  ratioToBare: number;
  met: boolean;
}

function wall(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr.toString().slice(0, 400)}`);
  return seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function benchStartup(options: { quick: boolean; format: { table: (head: string[], rows: string[][]) => string; section: (title: string) => void } }): Promise<StartupRow[]> {
  options.format.section('Start-up: whole processes against a bare Node start (node -e 0), median wall time');
  const out = mkdtempSync(path.join(tmpdir(), 'p2pmarket-bench-startup-'));
  const runs = options.quick ? 3 : 9;
  const cases = [
    { aim: 'p2pmarket --help', limit: '≤ bare + 0.25 s', args: [BIN, '--help'], met: (s: number, bare: number) => s - bare <= 0.25 },
    { aim: 'clear the seed case (whole process)', limit: '≤ 0.4 s', args: [BIN, 'clear', 'scenarios/seed-4node.json', '--out', path.join(out, 'clear'), '--quiet'], met: (s: number) => s <= 0.4 },
    { aim: "study B's 201 clearings (whole process)", limit: '≤ 1 s', args: [BIN, 'sweep', 'scenarios/node0-sweep-b.json', '--out', path.join(out, 'sweep'), '--quiet'], met: (s: number) => s <= 1 },
  ];
  const times = cases.map(() => [] as number[]);
  const bare: number[] = [];
  try {
    // Each case's first run is untimed (the file cache).
    for (const c of cases) wall(c.args);
    for (let k = 0; k < runs; k++) {
      bare.push(wall(['-e', '0']));
      cases.forEach((c, i) => times[i]!.push(wall(c.args)));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const bareSeconds = median(bare);
  const rows = cases.map((c, i): StartupRow => {
    const s = median(times[i]!);
    return { aim: c.aim, limit: c.limit, medianSeconds: s, bareSeconds, ratioToBare: s / bareSeconds, met: c.met(s, bareSeconds) };
  });
  console.log(
    options.format.table(
      ['aim', 'limit', 'median', 'bare node', '× bare', 'mark'],
      rows.map((r) => [r.aim, r.limit, `${r.medianSeconds.toFixed(3)} s`, `${r.bareSeconds.toFixed(3)} s`, `×${r.ratioToBare.toFixed(1)}`, r.met ? 'met' : 'missed']),
    ),
  );
  return rows;
}
