/** Cell values for the CSV files: full precision, machine-readable, empty for "no value". */

/**
 * Characters that make a spreadsheet read a cell as a formula when they come first (OWASP,
 * "CSV Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell (a name from input): one that would start a formula gets a leading `'`, which
 * spreadsheets take as "this is text" and do not show, so a scenario file named
 * `=HYPERLINK(…).yaml` is shown, never evaluated. Other text is written as it is.
 */
export function textCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * A CSV cell: numbers as JavaScript prints them (a negative number stays a number), booleans as
 * true/false, nothing as empty, and text through `textCell`.
 */
export function cell(value: number | string | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return textCell(value);
}
