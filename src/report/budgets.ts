/**
 * The budgets the report's overview colours rates against, and how a rate is judged against
 * one. A rate meets its budget when its whole Wilson 95% interval is at or below it, misses it
 * when the whole interval is above, and is undecided when the interval straddles it: a lucky
 * or unlucky sample is not called a pass or a fail (as `gatesim check` judges on the bound).
 */
import type { RateWithInterval, ReportBudgets, Summary } from '../eval/types.js';

/**
 * 5% shipped-bad and 5% blocked-good: one bad build in twenty reaching customers, one good build
 * in twenty held back. A starting point for the colours, not a recommendation; `compare`
 * overrides them with `--max-shipped-bad` and `--max-blocked-good`.
 */
export const DEFAULT_BUDGETS: Readonly<ReportBudgets> = { shippedBad: 0.05, blockedGood: 0.05 };

/** How a rate stands against its budget; `none` when nothing was counted (no builds of the kind). */
export type BudgetStatus = 'meets' | 'undecided' | 'misses' | 'none';

/**
 * The mark of each status, so a reader who cannot tell the colours apart (or reads Markdown,
 * which has none) still can: ✓ meets, ? undecided, ✗ misses.
 */
export const STATUS_MARK: Readonly<Record<BudgetStatus, string>> = {
  meets: '✓',
  undecided: '?',
  misses: '✗',
  none: '',
};

/** Judges a rate's interval against a budget. */
export function budgetStatus(r: RateWithInterval, max: number): BudgetStatus {
  if (r.of === 0) return 'none';
  if (r.hi <= max) return 'meets';
  if (r.lo > max) return 'misses';
  return 'undecided';
}

/** The summary's budgets, or the defaults for a summary written without them. */
export function budgetsOf(summary: Summary): ReportBudgets {
  return summary.budgets ?? { ...DEFAULT_BUDGETS };
}

/**
 * The policy the others are compared against: the summary's `reference` when it names one of
 * its policies, else the first policy given.
 */
export function referenceOf(summary: Summary): string | undefined {
  const r = summary.reference;
  return r !== undefined && summary.policies.includes(r) ? r : summary.policies[0];
}
