/**
 * Scenario files as people read them: the top-level fields and `network` one per line, a
 * list of numbers or ids on one line, and every line, load or prosumer of a list on a line of
 * its own (`{"from": "1", "to": "2", "rOhm": 0.0922, "xOhm": 0.047}`), as the bundled
 * scenarios are written. The text is JSON: `JSON.parse` gives back the same value.
 */

/** The JSON text of a scenario, ending with a line break. */
export function scenarioJson(scenario: object): string {
  return `${block(scenario, '')}\n`;
}

function block(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return inline(value);
    return `[\n${value.map((v) => `${indent}  ${inline(v)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${block(v, `${indent}  `)}`).join(',\n')}\n${indent}}`;
  }
  return inline(value);
}

/** One line: `{"a": 1, "b": [1, 2]}`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
