/**
 * Parameter paths into a scenario: `utility.targetKw[2]`, `prosumers[*].battery.maxChargeKw`.
 * A path is fields separated by dots, each followed by any number of `[i]` (one element) or
 * `[*]` (every element). Every place a path names must hold a number in the scenario.
 */
export type PathStep = { field: string } | { index: number } | { every: true };

const TOKEN = /^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[(?:\d+|\*)\])*)$/;

/** Parses a path, or says why it cannot be one. */
export function parsePath(path: string): PathStep[] | string {
  if (path.trim() === '') return 'is empty';
  const steps: PathStep[] = [];
  for (const part of path.split('.')) {
    const m = TOKEN.exec(part);
    if (!m) return `"${part}" is not a field name followed by [index] or [*]`;
    steps.push({ field: m[1]! });
    for (const [, inner] of m[2]!.matchAll(/\[(\d+|\*)\]/g)) steps.push(inner === '*' ? { every: true } : { index: Number(inner) });
  }
  return steps;
}

/**
 * Sets every number the path names in `target` (a scenario as plain JSON) to `value`.
 * Returns how many numbers it set, or why it could not.
 */
export function setPath(target: unknown, steps: readonly PathStep[], value: number, at = ''): number | string {
  const [step, ...rest] = steps;
  if (!step) return 0;
  const here = (s: PathStep) => ('field' in s ? (at ? `${at}.${s.field}` : s.field) : 'index' in s ? `${at}[${s.index}]` : `${at}[*]`);
  if ('field' in step) {
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return `${at || 'the scenario'} is not an object`;
    const record = target as Record<string, unknown>;
    if (!(step.field in record)) return `${here(step)} is not in the scenario`;
    return assign(record, step.field, rest, value, here(step));
  }
  if (!Array.isArray(target)) return `${at} is not an array`;
  const indices = 'index' in step ? [step.index] : target.map((_, k) => k);
  if ('index' in step && step.index >= target.length) return `${here(step)} is beyond its ${target.length} elements`;
  let count = 0;
  for (const k of indices) {
    const set = assign(target as unknown as Record<string, unknown>, k, rest, value, `${at}[${k}]`);
    if (typeof set === 'string') return set;
    count += set;
  }
  return count;
}

function assign(container: Record<string | number, unknown>, key: string | number, rest: readonly PathStep[], value: number, at: string): number | string {
  if (rest.length > 0) return setPath(container[key], rest, value, at);
  if (typeof container[key] !== 'number') return `${at} is not a number in the scenario`;
  container[key] = value;
  return 1;
}
