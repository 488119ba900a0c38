/** Cell values for the CSV files: full precision, machine-readable, empty for "no value". */

/** A CSV cell: numbers as JavaScript prints them, booleans as true/false, nothing as empty. */
export function cell(value: number | string | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return value;
}
