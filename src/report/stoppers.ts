/** Which check caught each bad build and which blocked each good one, for the reports. */
import { NOT_STOPPED, type CheckTally, type PairResult } from '../eval/types.js';

/** One check's count on one pair, with a trial to replay. */
export interface Stopper {
  /** The check name, `ci`, `drill`, or `(stalled)`. */
  check: string;
  count: number;
  exampleTrial: number;
  /** Of a blocked good build's count, those that carried a fault under the impact bar. */
  withFault?: CheckTally | undefined;
}

/** A pair's tallies, the most frequent check first (ties by name, so the order is stable). */
export function stoppers(tallies: Readonly<Record<string, CheckTally>>): Stopper[] {
  return Object.entries(tallies)
    .map(([check, t]) => ({ check, count: t.count, exampleTrial: t.exampleTrial }))
    .sort((a, b) => b.count - a.count || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
}

/** How a stopper is named in the report: the check, or what `(stalled)` means. */
export function stopperLabel(check: string): string {
  return check === NOT_STOPPED ? 'never finished' : check;
}

/**
 * The pair's stoppers of bad builds (caught) or good builds (blocked), or its shipped bad
 * builds by when their fault first showed (shipped: `while checked`, `after the last check`).
 */
export function stoppersOf(r: PairResult, which: 'caught' | 'blocked' | 'shipped'): Stopper[] {
  // Summaries written before the tallies existed have none.
  const t = which === 'caught' ? r.caughtBy : which === 'blocked' ? r.blockedBy : r.shippedBadWhen;
  if (t === undefined) return [];
  const list = stoppers(t);
  if (which === 'blocked') for (const s of list) s.withFault = r.blockedGoodWithFault?.[s.check];
  return list;
}

/**
 * A stopper as a report cell shows it: `check count #k`, and how many found a real fault;
 * `escape` is applied to the check's name (the only part a user wrote).
 */
export function stopperText(s: Stopper, escape: (text: string) => string = (t) => t): string {
  const fault =
    s.withFault !== undefined && s.withFault.count > 0
      ? ` (${s.withFault.count} with a fault under the bar #${s.withFault.exampleTrial})`
      : '';
  return `${escape(stopperLabel(s.check))} ${s.count} #${s.exampleTrial}${fault}`;
}

/** What the blocked-good matrix's fault counts mean. */
export const BLOCKED_NOTE =
  '"With a fault under the bar": builds of a bad template whose fault stays under the impact bar, so they count as good. The check found a real defect, not a false alarm, but one that would not have hurt customers enough to make the build bad.';

/** Why the shipped-bad matrix is there: what `after the last check` means for a policy. */
export const SHIPPED_NOTE =
  'Each shipped bad build by when its fault first showed in production: while the policy still checked (a check could have seen it) or only after its last check stopped (no check of that policy could; only watching longer would), with an example trial #k.';
