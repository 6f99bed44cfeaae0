/** Reading a recorded request sequence (a run's requests.csv) for `replay`. */
import { parse } from 'csv-parse/sync';
import type { RequestEvent } from '../engine/events.ts';
import { InputError, type InputProblem } from '../errors.ts';
import { readTextFile } from './load.ts';
import type { Scenario } from './validate.ts';

const COLUMNS = ['simHour', 'step', 'targetKw', 'priority'] as const;

export function loadRequests(file: string, scenario: Scenario): RequestEvent[] {
  const text = readTextFile(file);
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `malformed CSV: ${(e as Error).message}` }]);
  }
  const [header, ...body] = rows;
  if (!header || COLUMNS.some((c) => !header.includes(c))) {
    throw new InputError(file, [{ path: 'line 1', message: `the header must name the columns ${COLUMNS.join(', ')} (found: ${header?.join(', ') ?? 'nothing'})` }]);
  }
  const column = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const problems: InputProblem[] = [];
  const requests: RequestEvent[] = [];
  body.forEach((row, k) => {
    const at = (c: (typeof COLUMNS)[number]) => `line ${k + 2}, ${c}`;
    const number = (c: (typeof COLUMNS)[number]) => {
      const raw = row[column[c]];
      const value = raw === undefined || raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(value)) problems.push({ path: at(c), message: `"${raw ?? ''}" is not a finite number` });
      else if (Math.abs(value) > 1e9) problems.push({ path: at(c), message: `${raw} must lie within ±1000000000` });
      return value;
    };
    const request: RequestEvent = {
      type: 'request',
      simHour: number('simHour'),
      agent: 'utility',
      step: number('step'),
      targetKw: number('targetKw'),
      priority: number('priority'),
    };
    if (Number.isFinite(request.step) && (!Number.isInteger(request.step) || request.step < 0 || request.step >= scenario.steps)) {
      problems.push({ path: at('step'), message: `step ${request.step} is not one of the scenario's steps 0–${scenario.steps - 1}` });
    }
    if (request.priority < 0) problems.push({ path: at('priority'), message: `priority ${request.priority} is negative` });
    requests.push(request);
  });
  if (problems.length > 0) throw new InputError(file, problems);
  return requests;
}
