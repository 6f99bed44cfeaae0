/**
 * Start-up as a user meets it (issue 16): whole processes, wall time, median of several runs,
 * each against a bare Node start (`node -e 0`) measured in the same run, interleaved so that
 * load on the machine falls on all alike.
 *
 * Aims: `p2pmarket --help` within 0.25 s of a bare start; `clear` of the seed's case in 0.4 s;
 * study B (scenarios/node0-sweep-b.json, 201 clearings) in 1 s — both as whole processes.
 * The commands run the compiled dist/ (bin/p2pmarket.js: the bundled dist/bin/), as an installed
 * package does.
 *
 * On a shared machine every process is slower by much the same factor, a bare start included, so
 * the aims are judged as ratios to the bare start of the same run: each time is also shown scaled
 * to a machine on which `node -e 0` takes BENCH_BARE_REFERENCE seconds (default 0.1, this
 * project's 2-core machine when quiet), and judged there ("at ref."), besides as measured.
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
  minSeconds: number;
  bareSeconds: number;
  /** The process's time over a bare Node start's. */
  ratioToBare: number;
  /** The median scaled to a bare start of REFERENCE_BARE seconds. */
  referenceSeconds: number;
  referenceBareSeconds: number;
  /** The aim met as measured, and at the reference. */
  met: boolean;
  metAtReference: boolean;
}

const REFERENCE_BARE = Number(process.env.BENCH_BARE_REFERENCE ?? 0.1);

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
  options.format.section(`Start-up: whole processes against a bare Node start (node -e 0), median wall time; "at ref." scaled to a ${REFERENCE_BARE} s bare start`);
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
    const atReference = (s / bareSeconds) * REFERENCE_BARE;
    return {
      aim: c.aim,
      limit: c.limit,
      medianSeconds: s,
      minSeconds: Math.min(...times[i]!),
      bareSeconds,
      ratioToBare: s / bareSeconds,
      referenceSeconds: atReference,
      referenceBareSeconds: REFERENCE_BARE,
      met: c.met(s, bareSeconds),
      metAtReference: c.met(atReference, REFERENCE_BARE),
    };
  });
  const mark = (met: boolean) => (met ? 'met' : 'missed');
  console.log(
    options.format.table(
      ['aim', 'limit', 'median', 'min', 'bare node', 'over bare', '× bare', 'mark', 'at ref.', 'mark at ref.'],
      rows.map((r) => [r.aim, r.limit, `${r.medianSeconds.toFixed(3)} s`, `${r.minSeconds.toFixed(3)} s`, `${r.bareSeconds.toFixed(3)} s`, `${(r.medianSeconds - r.bareSeconds).toFixed(3)} s`, `×${r.ratioToBare.toFixed(1)}`, mark(r.met), `${r.referenceSeconds.toFixed(3)} s`, mark(r.metAtReference)]),
    ),
  );
  return rows;
}
