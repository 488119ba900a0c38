/** The constraint options `tune` and `recommend` share, parsed with messages naming the option. */
import { parseMinutes, parseRate } from '../check/options.js';
import type { Constraint } from '../tune/types.js';

export interface ConstraintOptions {
  maxShippedBad?: string | undefined;
  maxBlockedGood?: string | undefined;
  maxLeadTimeP90?: string | undefined;
}

/** Every constraint given, in the order shipped-bad, blocked-good, lead time. */
export function constraintsOf(o: ConstraintOptions): Constraint[] {
  const out: Constraint[] = [];
  if (o.maxShippedBad !== undefined)
    out.push({ kind: 'max-shipped-bad', limit: parseRate('--max-shipped-bad', o.maxShippedBad) });
  if (o.maxBlockedGood !== undefined)
    out.push({
      kind: 'max-blocked-good',
      limit: parseRate('--max-blocked-good', o.maxBlockedGood),
    });
  if (o.maxLeadTimeP90 !== undefined)
    out.push({
      kind: 'max-lead-time-p90',
      limit: parseMinutes('--max-lead-time-p90', o.maxLeadTimeP90),
    });
  return out;
}
