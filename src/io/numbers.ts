/**
 * Numbers written as text (CSV cells, command-line options): plain decimals only. JavaScript's
 * `Number()` also takes `0x10` (16), `0b11`, `0o7`, `''` (0), `' '` (0), `Infinity`; a data file or
 * an option that says any of these is a mistake to report, not a number to guess.
 */

/** An optional sign, digits with an optional decimal point (or a leading one), an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number a decimal text says, or undefined when it is not one. `decimalMark` ','
 * reads `1,5` as 1.5 (the text must then hold no '.').
 */
export function parseDecimal(text: string, decimalMark: '.' | ',' = '.'): number | undefined {
  let s = text.trim();
  if (decimalMark === ',') {
    if (s.includes('.')) return undefined;
    s = s.replace(',', '.');
  }
  if (!DECIMAL.test(s)) return undefined;
  const value = Number(s);
  return Number.isFinite(value) ? value : undefined;
}

/** A whole number written in decimal (no sign unless `signed`), or undefined. */
export function parseWholeNumber(text: string, signed = false): number | undefined {
  const s = text.trim();
  if (!(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(s)) return undefined;
  const value = Number(s);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Decimal values of a range from `from` to `to` by `step`, computed on the decimal grid the
 * three are written on: −0.3 to 0.3 by 0.1 gives −0.3, −0.2, −0.1, 0, 0.1, 0.2, 0.3 (not
 * 5.55e-17 for 0), and 0.2 to 1.8 by 0.2 nine values. `to` is included when it lies on the
 * grid (within 1e-9 of a step).
 */
export function decimalRange(from: number, to: number, step: number): number[] {
  const decimals = Math.min(15, Math.max(decimalPlaces(from), decimalPlaces(step)));
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => {
    const value = Number((from + i * step).toFixed(decimals));
    return value === 0 ? 0 : value; // no −0
  });
}

/** Digits after the decimal point in the shortest text of a number (1e-7 → 7, 0.25 → 2, 3 → 0). */
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent] = String(Math.abs(value)).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}
