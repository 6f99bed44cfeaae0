/**
 * A run file's text without its wall-clock timings — the `solveMs` column of runs.csv and the
 * `solveMs` fields of result.json, the only values that differ between two runs of one input.
 */
export function withoutTimings(name: string, text: string): string {
  if (name.endsWith('.json')) return text.replace(/"solveMs": [\d.e+-]+/g, '"solveMs": ·');
  if (!name.endsWith('runs.csv')) return text;
  const [header, ...rows] = text.split('\n');
  const column = header!.split(',').indexOf('solveMs');
  return [header, ...rows.map((row) => (row ? row.split(',').map((v, k) => (k === column ? '·' : v)).join(',') : row))].join('\n');
}
