/** CSV text from columns and rows (csv-stringify): the one writer every CSV file of a run goes through. */
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | null;

export function toCsv(columns: readonly string[], rows: readonly Cell[][]): string {
  return stringify(rows as Cell[][], { header: true, columns: [...columns] });
}
