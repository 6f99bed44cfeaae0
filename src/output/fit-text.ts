/**
 * Text that fits a terminal: no line wider than `MAX_COLUMNS` (120) characters, counted in code
 * points without colour escapes (picocolors), so coloured text and box-drawing characters count
 * one column each. The text half of output/terminal.ts (which adds the tables), kept apart so that
 * every command loads it at start-up without the tables' cli-table3.
 *
 * - `wrap` breaks a line of prose at spaces, continuing with a hanging indent (the line's own
 *   indent and two more). A word — a file path, an id — is moved whole to the next line when it
 *   fits there, and broken only when it is wider than a line, after a "/", "→", "," or the like
 *   where it has one.
 * - `fitText` wraps every line of a text: whatever the command line writes for a person passes
 *   through it (cli/screen.ts), so no message, warning, error or help text is wider.
 * - `shorten` cuts a text in the middle, keeping its start and its end; `clip` cuts it at the end
 *   (a line redrawn in place, as a progress bar is, cannot be wrapped).
 */
export const MAX_COLUMNS = 120;

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;]*m/g;
/** A text's units on screen: colour escapes (no width) and code points (one column each). */
// eslint-disable-next-line no-control-regex
const UNITS = /\u001b\[[0-9;]*m|[^]/gu;
const unitsOf = (text: string): string[] => text.match(UNITS) ?? [];
const isEscape = (unit: string) => unit.length > 1 && unit.charCodeAt(0) === 0x1b;
/** The width of text on screen: without colour escapes, one column per code point. */
export const visibleWidth = (text: string) => [...text.replace(ESCAPES, '')].length;
export const plain = (text: string) => text.replace(ESCAPES, '');

/**
 * `text` in at most `width` columns: its first third and its last two thirds around "…", so that
 * ids differing at either end stay apart. Colour is dropped from a shortened text.
 */
export function shorten(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  const chars = [...plain(text)];
  const head = Math.floor((width - 1) / 3);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/**
 * Where a word wider than a line is broken: after a separator of its parts ("/" of a path, "→"
 * of a trade, a list's "," or ";"), else after a hyphen, dot, colon or the like, else anywhere.
 */
const STRONG_BREAKS = new Set(['/', '\\', '→', ',', ';']);
const WEAK_BREAKS = new Set([':', '–', '-', '_', '.', '=', '&', '?', ')', ']', '|']);

/**
 * How many units of a word fill at most `room` columns: up to its last strong break in the last
 * two thirds of the room, else (unless `strongOnly`) its last weak break in the last half, else
 * all the room; 0 where `strongOnly` finds no strong break.
 */
function cutPoint(units: readonly string[], room: number, strongOnly = false): number {
  let visible = 0;
  let strong = 0;
  let weak = 0;
  let k = 0;
  for (; k < units.length; k++) {
    if (isEscape(units[k]!)) continue;
    if (visible === room) break;
    visible++;
    if (STRONG_BREAKS.has(units[k]!) && visible >= room / 3) strong = k + 1;
    if (WEAK_BREAKS.has(units[k]!) && visible >= room / 2) weak = k + 1;
  }
  if (strongOnly) return k === units.length ? 0 : strong;
  if (k === units.length) return k;
  return strong || weak || Math.max(1, k);
}

/**
 * A line of prose broken at spaces into lines of at most `maxColumns`, continued with `indent`
 * (by default the line's own indent and two spaces more: a hanging indent).
 */
export function wrap(line: string, indent?: string, maxColumns = MAX_COLUMNS): string {
  if (visibleWidth(line) <= maxColumns) return line;
  const lead = /^ */.exec(line)![0];
  let hang = indent ?? `${lead}  `;
  if (visibleWidth(hang) > maxColumns / 2) hang = ' '.repeat(Math.floor(maxColumns / 2));
  const out: string[] = [];
  let current = lead;
  let empty = true; // no word on the current line yet
  const tokens = line.slice(lead.length).split(/( +)/); // word, spaces, word, …
  for (let k = 0; k < tokens.length; k += 2) {
    const word = tokens[k]!;
    if (word === '') continue;
    const space = empty ? '' : (tokens[k - 1] ?? ' ');
    const width = visibleWidth(word);
    if (visibleWidth(current) + space.length + width <= maxColumns) {
      current += space + word;
      empty = false;
      continue;
    }
    if (!empty && visibleWidth(hang) + width <= maxColumns) {
      out.push(current);
      current = hang + word;
      continue;
    }
    // A word wider than a line: begun here up to one of its "/", "→", "," (if it has one in the
    // room left), else on the next line; and on over the next lines.
    let units = unitsOf(word);
    if (!empty) {
      const cut = cutPoint(units, maxColumns - visibleWidth(current) - space.length, true);
      if (cut > 0) {
        current += space + units.slice(0, cut).join('');
        units = units.slice(cut);
      }
      out.push(current);
      current = hang;
    }
    while (visibleWidth(current) + visibleWidth(units.join('')) > maxColumns) {
      const cut = cutPoint(units, maxColumns - visibleWidth(current));
      out.push(current + units.slice(0, cut).join(''));
      units = units.slice(cut);
      current = hang;
    }
    current += units.join('');
    empty = false;
  }
  out.push(current);
  return out.join('\n');
}

/** Every line of a text wrapped to `maxColumns` (see `wrap`); lines that fit are left as they are. */
export function fitText(text: string, maxColumns = MAX_COLUMNS): string {
  return text
    .split('\n')
    .map((line) => wrap(line, undefined, maxColumns))
    .join('\n');
}

/** `text` cut to `maxColumns` visible columns on each of its lines, colour escapes kept. */
export function clip(text: string, maxColumns = MAX_COLUMNS): string {
  return text
    .split('\n')
    .map((line) => {
      if (visibleWidth(line) <= maxColumns) return line;
      let visible = 0;
      return unitsOf(line)
        .filter((unit) => isEscape(unit) || visible++ < maxColumns)
        .join('');
    })
    .join('\n');
}
