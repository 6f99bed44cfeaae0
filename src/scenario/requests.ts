/** Reading a recorded request sequence (a run's requests.csv) for `replay`. */
import { parse } from 'csv-parse/sync';
import type { RequestEvent } from '../engine/events.ts';
import { InputError, type InputProblem } from '../errors.ts';
import { readTextFile } from '../io/read.ts';
import { parseDecimal } from '../io/numbers.ts';
import { clip } from '../io/problems.ts';
import type { Scenario } from './validate.ts';
import { lateRequest } from './warnings.ts';

const COLUMNS = ['simHour', 'step', 'targetKw', 'priority'] as const;

/**
 * The utility's requests in a CSV file (columns simHour, step, targetKw, priority), checked.
 * `onWarning` hears of a request issued after its step started (it changes nothing), by line.
 */
export function loadRequests(file: string, scenario: Scenario, onWarning?: (message: string) => void): RequestEvent[] {
  const text = readTextFile(file);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // `info` gives each record's line in the file, blank lines counted as an editor counts them.
    rows = parse(text, { skip_empty_lines: true, trim: true, info: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `malformed CSV: ${clip((e as Error).message, 200)}` }]);
  }
  const [first, ...body] = rows;
  const header = first?.record;
  if (!header || COLUMNS.some((c) => !header.includes(c))) {
    throw new InputError(file, [{ path: `line ${first?.info.lines ?? 1}`, message: `the header must name the columns ${COLUMNS.join(', ')} (found: ${header ? clip(header.join(', '), 120) : 'nothing'})` }]);
  }
  const column = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const problems: InputProblem[] = [];
  const requests: RequestEvent[] = [];
  body.forEach(({ record: row, info }) => {
    const at = (c: (typeof COLUMNS)[number]) => `line ${info.lines}, ${c}`;
    if (row.length !== header.length) problems.push({ path: `line ${info.lines}`, message: `has ${row.length} cells, the header ${header.length}` });
    const number = (c: (typeof COLUMNS)[number]) => {
      const raw = row[column[c]];
      const value = raw === undefined ? undefined : parseDecimal(raw);
      if (value === undefined) {
        problems.push({ path: at(c), message: `"${clip(raw ?? '', 40)}" is not a decimal number` });
        return NaN;
      }
      if (Math.abs(value) > 1e9) problems.push({ path: at(c), message: `${clip(raw!, 40)} must lie within ±1000000000` });
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
    const late = request.step >= 0 && request.step < scenario.steps ? lateRequest(scenario, request.simHour, request.step) : undefined;
    if (late) onWarning?.(`warning: ${file}: line ${info.lines}: ${late}`);
    requests.push(request);
  });
  if (problems.length > 0) throw new InputError(file, problems);
  return requests;
}
