/** summary.json: exactly the Summary object, with keys in a stable (sorted) order. */
import type { Summary } from '../eval/types.js';

/**
 * Returns a copy with object keys sorted at every depth; arrays keep their order. Sorting,
 * rather than relying on construction order, makes two runs with equal figures byte-identical
 * (so a merged sharded run can be compared with `cmp` against an unsharded one).
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      // Keys can be names from input (a scenario file named `__proto__.yaml`): define them as
      // own properties, as assigning `__proto__` would set the prototype and drop the entry.
      Object.defineProperty(out, key, {
        value: sortKeysDeep((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * The text of summary.json: two-space indented, sorted keys, a final newline. Absent fields
 * (`undefined`) are left out; a non-finite number (no data) is written as `null`.
 */
export function renderSummaryJson(summary: Summary): string {
  return `${JSON.stringify(sortKeysDeep(summary), null, 2)}\n`;
}
