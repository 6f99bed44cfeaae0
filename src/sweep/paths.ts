/**
 * Parameter paths into a scenario (as plain JSON): `utility.targetKw[2]`,
 * `prosumers[*].battery.maxKwh`, `market.networkFee.perKwh`. A path is fields separated by dots,
 * each followed by any number of `[i]` (one element) or `[*]` (every element).
 *
 * What a parameter does at the places its path names:
 * - **set** a value — a number, a string, a boolean or a whole object — creating the field, and
 *   any object on the way to it, when the scenario leaves it out (`horizonSteps`,
 *   `market.networkFee.perKwh`): the scenario's validation then judges the result;
 * - **scale** by a factor: a number, every number of an array (a series), or a profile reference
 *   (its `peakKw`, `annualKwh` or `scale`, whichever it has);
 * - **shift** by an amount: a number or every number of an array.
 *
 * Under `[*]`, an element that lacks the object the rest of the path goes through is passed
 * over (`prosumers[*].battery.maxKwh` sets the batteries there are), and so is one without the
 * field to scale or shift (`prosumers[*].pvKw` scales the PV there is); a path that reaches no
 * place at all is an error.
 */
export type PathStep = { field: string } | { index: number } | { every: true };

export type Operation = { set: unknown } | { scale: number } | { shift: number };

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

type Json = Record<string | number, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Twelve significant digits: 0.1 × 3 is 0.3, not 0.30000000000000004. */
const tidy = (v: number) => Number(v.toPrecision(12));

/**
 * Applies `operation` at every place the path names in `target`. Returns how many places it
 * changed, or why it could not.
 */
export function applyAtPath(target: unknown, steps: readonly PathStep[], operation: Operation): number | string {
  return walk(target, steps, operation, '', false);
}

function walk(node: unknown, steps: readonly PathStep[], op: Operation, at: string, underWildcard: boolean): number | string {
  const [step, ...rest] = steps;
  if (!step) return 0;
  const here = 'field' in step ? (at ? `${at}.${step.field}` : step.field) : 'index' in step ? `${at}[${step.index}]` : `${at}[*]`;
  if ('field' in step) {
    if (!isObject(node)) return `${at || 'the scenario'} is not an object`;
    if (rest.length === 0) return assign(node, step.field, op, here, underWildcard);
    if (!(step.field in node) || node[step.field] === undefined) {
      // Passed over under [*]; created elsewhere (an optional object the scenario leaves out).
      if (underWildcard) return 0;
      if (!('set' in op)) return `${here} is not in the scenario: there is nothing to ${'scale' in op ? 'scale' : 'shift'}`;
      node[step.field] = 'field' in rest[0]! ? {} : [];
    }
    return walk(node[step.field], rest, op, here, underWildcard);
  }
  if (!Array.isArray(node)) return `${at} is not an array`;
  if ('index' in step) {
    if (step.index >= node.length) return `${here} is beyond its ${node.length} elements`;
    if (rest.length === 0) return assign(node as unknown as Json, step.index, op, here, underWildcard);
    return walk(node[step.index], rest, op, here, underWildcard);
  }
  let count = 0;
  for (let k = 0; k < node.length; k++) {
    const one = rest.length === 0 ? assign(node as unknown as Json, k, op, `${at}[${k}]`, true) : walk(node[k], rest, op, `${at}[${k}]`, true);
    if (typeof one === 'string') return one;
    count += one;
  }
  return count;
}

function assign(container: Json, key: string | number, op: Operation, at: string, underWildcard: boolean): number | string {
  if ('set' in op) {
    container[key] = structuredClone(op.set);
    return 1;
  }
  const current = container[key];
  const verb = 'scale' in op ? 'scale' : 'shift';
  const change = (v: number) => tidy('scale' in op ? v * op.scale : v + op.shift);
  if (typeof current === 'number') container[key] = change(current);
  else if (Array.isArray(current) && current.every((v) => typeof v === 'number')) container[key] = current.map(change);
  else if ('scale' in op && isObject(current) && typeof current.profile === 'string') {
    // A profile reference scales by whichever of its sizes it has.
    const size = (['peakKw', 'annualKwh', 'scale'] as const).find((k) => typeof current[k] === 'number') ?? 'scale';
    current[size] = tidy(((current[size] as number | undefined) ?? 1) * op.scale);
  } else if (current === undefined) return underWildcard ? 0 : `${at} is not in the scenario: there is nothing to ${verb}`;
  else return `${at} holds ${Array.isArray(current) ? 'an array that is not all numbers' : typeof current === 'object' ? 'an object that is not a profile reference' : `a ${typeof current}`}: only numbers, series${verb === 'scale' ? ' and profile references' : ''} can be ${verb === 'scale' ? 'scaled' : 'shifted'}`;
  return 1;
}
