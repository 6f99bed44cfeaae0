/**
 * Colours for the terminal tables — only when stdout is a terminal (not in a pipe, a file or a
 * CI log, where picocolors' default would switch them on), never with NO_COLOR, always with
 * FORCE_COLOR.
 */
import picocolors from 'picocolors';

const env = process.env;
export const colorsEnabled = 'FORCE_COLOR' in env || (!('NO_COLOR' in env) && Boolean(process.stdout.isTTY) && env.TERM !== 'dumb');
export const pc = picocolors.createColors(colorsEnabled);
