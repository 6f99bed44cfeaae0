/** numpy's own reading of the CSV files a run writes, for tests that check users can load them. */
import { spawnSync } from 'node:child_process';

/** python3 with numpy, when the machine has them. */
export const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** The field names numpy's genfromtxt(names=True) reads from a CSV file, and its number of rows. */
export function numpyRead(file: string): { names: string[]; rows: number } {
  const script = "import sys, json, numpy as np\na = np.atleast_1d(np.genfromtxt(sys.argv[1], names=True, delimiter=',', dtype=None, encoding='utf-8'))\nprint(json.dumps({'names': list(a.dtype.names), 'rows': int(a.shape[0])}))";
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`numpy could not read ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { names: string[]; rows: number };
}
