/**
 * Schema issues (zod) in the words of the input's author: the field path as written in the
 * file (`prosumers[1].battery.initialKwh`), what is wrong, and what was found — clipped, so that
 * a 200,000-element array in the wrong place makes a one-line message, not a megabyte.
 */
import type { z } from 'zod';
import { formatPath, type InputProblem } from '../errors.ts';

type Issue = z.core.$ZodIssue;

/** The problems of a failed parse of `raw`, one per issue (`prefix`: the path of the value parsed). */
export function schemaProblems(issues: readonly Issue[], raw: unknown, prefix: readonly PropertyKey[] = []): InputProblem[] {
  return issues.flatMap((issue): InputProblem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // A union whose value has the shape of one branch (a series is an array or a profile
      // reference): report that branch's problems, inside the value.
      const matching = issue.errors.filter((branch) => !branch.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')));
      if (matching.length === 1) return schemaProblems(matching[0]!, raw, path);
    }
    return [{ path: formatPath(path), message: describeIssue({ ...issue, path } as Issue, raw) }];
  });
}

function describeIssue(issue: Issue, raw: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, 10).map((k) => `"${clip(k, 40)}"`).join(', ')}${issue.keys.length > 10 ? ` and ${issue.keys.length - 10} more` : ''}`;
    case 'invalid_type': {
      if (!hasPath(raw, issue.path)) return 'is required but missing';
      const found = describeValue(valueAt(raw, issue.path));
      if (issue.expected === 'number') return `must be a finite number (found ${found})`;
      if (issue.expected === 'int') return `must be a whole number (found ${found})`;
      return `must be ${article(issue.expected)} (found ${found})`;
    }
    case 'invalid_union': {
      const value = valueAt(raw, issue.path);
      // A union that says in its own words what it takes.
      if (issue.message && issue.message !== 'Invalid input') return `${clip(issue.message, 300)} (found ${describeValue(value)})`;
      const options = [...new Set(issue.errors.map((branch) => branch[0]).filter((first): first is Issue => first !== undefined && first.path.length === 0).map((first) => describeIssue({ ...first, path: issue.path } as Issue, raw)))];
      return options.length > 0 ? `is not a form this field takes (found ${describeValue(value)}): ${options.slice(0, 4).join('; or ')}` : `is not a form this field takes (found ${describeValue(value)})`;
    }
    default:
      return clip(issue.message, 300);
  }
}

/** A value as a short phrase: `"abc"`, `12`, `an array of 200000 elements`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} element${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(clip(value, 40));
  return clip(String(value), 40);
}

function article(type: string): string {
  return type === 'object' || type === 'array' ? `an ${type}` : `a ${type === 'boolean' ? 'true or false' : type}`;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function hasPath(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return true;
  const parent = valueAt(raw, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && path[path.length - 1]! in parent;
}
