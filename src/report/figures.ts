/**
 * The figures the report shows besides the two budgeted rates, one entry each. Both reports
 * draw every entry the same way (a scenario × policy table in report.md and report.html, a
 * column in each scenario's detail table), so adding a figure is adding an entry here.
 */
import type { PairResult } from '../eval/types.js';
import { formatCount, formatMinutes, formatPercent, formatQuantiles } from './format.js';

/** Which builds a figure is about: a scenario without any gets no row for it. */
export type FigureScope = 'bad' | 'good' | 'all';

export interface Figure {
  /** A stable id, used as an HTML class. */
  id: string;
  /** Heading and column title. */
  title: string;
  /** One sentence under the heading: what the figure counts. */
  note: string;
  over: FigureScope;
  /** The figure for one pair, or undefined for "no value" (shown as –). */
  text(r: PairResult): string | undefined;
  /**
   * Whether a scenario measures the figure at all. A scenario that does not (no build in it
   * moves checkout conversion, so nothing can be lost) shows – rather than a misleading 0.
   * Default: every scenario with builds of the figure's scope measures it.
   */
  measured?(results: readonly PairResult[]): boolean;
  /**
   * Whether a measured scenario's row in the scenario × policy table says anything (rollback
   * success only where a rollback failed). Default: every measured scenario gets a row.
   */
  worthARow?(results: readonly PairResult[]): boolean;
  /** How the note under the table introduces measured scenarios left without a row or with –. */
  omitted?: string;
  /** Whether a value calls for attention (a failed Friday test); shown in bold or red. */
  alarm?(r: PairResult): boolean;
}

/** The figures, in the order the reports show them. */
export const FIGURES: readonly Figure[] = [
  {
    id: 'time-to-detect',
    title: 'Time to detect p50 / p90 (n)',
    note:
      'First customer exposure (the first production host on the build) to the rollback decision, over ' +
      'the n bad builds detected in production; CI, drill and staging catches are not counted. – where ' +
      'none was detected in production.',
    over: 'bad',
    text: (r) =>
      r.timeToDetectMin.n === 0
        ? undefined
        : `${formatQuantiles(r.timeToDetectMin)} (${r.timeToDetectMin.n})`,
  },
  {
    id: 'lead-time',
    title: 'Lead time p50 / p90',
    note: 'Deploy start to 100% for the good builds that shipped: the price of the gates.',
    over: 'good',
    text: (r) => (r.leadTimeMin.n === 0 ? undefined : formatQuantiles(r.leadTimeMin)),
  },
  {
    id: 'lead-time-split',
    title: 'Lead time split (mean per good build)',
    note:
      'Deploy start to 100% over every good build, split into active time (drill, deploying) and waits: ' +
      'deploy windows, people (approvals, resuming a pause; working hours only), bake and checks. ' +
      'A good build that never shipped counts until it was stopped; how many is said. Parts under 1 s are left out.',
    over: 'good',
    text: (r) => {
      const s = r.leadTimeSplit;
      if (s.builds === 0) return undefined;
      const m = s.meanMin;
      // Parts under a second are left out, so the cell says where the time goes.
      const parts = (
        [
          ['active', m.active],
          ['window', m.window],
          ['person', m.person],
          ['bake', m.bake],
        ] as const
      )
        .filter(([, v]) => v >= 1 / 60)
        .map(([k, v]) => `${k} ${formatMinutes(v)}`);
      return (
        `${formatMinutes(m.total)}: ${parts.join(', ')}` +
        (s.notShipped > 0 ? ` (${s.notShipped} not shipped)` : '')
      );
    },
  },
  {
    id: 'rollback-success',
    title: 'Rollback success',
    note: 'Rollbacks that restored the old build, of those attempted.',
    over: 'all',
    text: (r) =>
      r.rollback.attempts === 0
        ? undefined
        : `${formatPercent(r.rollback.successRate)} (${r.rollback.successes}/${r.rollback.attempts})`,
    measured: (rs) => rs.some((r) => r.rollback.attempts > 0),
    worthARow: (rs) => rs.some((r) => r.rollback.successes < r.rollback.attempts),
    omitted: 'Every rollback restored the old build, or none was tried, in',
    alarm: (r) => r.rollback.attempts > 0 && r.rollback.successes < r.rollback.attempts,
  },
  {
    id: 'failed-requests',
    title: 'Failed requests per bad build',
    note: 'Requests the build made fail, until the horizon, averaged over bad builds.',
    over: 'bad',
    text: (r) => formatCount(r.impact.failedRequestsPerBadBuild),
    measured: (rs) => rs.some((r) => r.impact.failedRequests > 0),
    omitted: 'No build made requests fail (–) in',
  },
  {
    id: 'lost-checkouts',
    title: 'Lost checkouts per bad build',
    note: 'Checkouts lost to the build, averaged over bad builds.',
    over: 'bad',
    text: (r) => formatCount(r.impact.lostCheckoutsPerBadBuild),
    measured: (rs) => rs.some((r) => r.impact.lostCheckouts > 0),
    omitted: 'No build moves checkout conversion (–) in',
  },
  {
    id: 'friday',
    title: 'Friday test: hurting at +2 h · next morning · failed requests until then',
    note:
      'Of bad builds started Friday 16:00, the share still hurting customers two hours later and at the next ' +
      'working morning (Monday 09:00), and the requests they made fail until then (per bad build, the weekend ' +
      'included); after the slash the same builds started Tuesday 10:00 (+2 h, Wednesday 09:00). ' +
      'fails: Friday is worse at +2 h (paired, p < 0.05). Wilson 95% intervals in summary.json.',
    over: 'bad',
    text: (r) => {
      const f = r.friday;
      if (f === undefined) return undefined;
      const side = (two: number, morning: number, failed: number) =>
        `${formatPercent(two)} · ${formatPercent(morning)} · ${formatCount(failed)}`;
      return (
        side(f.friday.rate, f.fridayMorning.rate, f.impactToMorning.friday.failedRequests) +
        ' / ' +
        side(f.tuesday.rate, f.tuesdayMorning.rate, f.impactToMorning.tuesday.failedRequests) +
        (f.passes ? '' : ' fails')
      );
    },
    measured: (rs) => rs.some((r) => r.friday !== undefined),
    omitted: 'No Friday replays (–) in',
    alarm: (r) => r.friday?.passes === false,
  },
];

/** Whether a scenario has builds of the figure's scope. */
export function hasScope(f: Figure, results: readonly PairResult[]): boolean {
  const first = results[0];
  if (first === undefined) return false;
  switch (f.over) {
    case 'bad':
      return first.badBuilds > 0;
    case 'good':
      return first.goodBuilds > 0;
    case 'all':
      return first.trials > 0;
    default: {
      const never: never = f.over;
      throw new Error(`unknown figure scope ${String(never)}`);
    }
  }
}

/** Whether a scenario has builds of the figure's scope and measures the figure. */
export function figureApplies(f: Figure, results: readonly PairResult[]): boolean {
  return hasScope(f, results) && (f.measured?.(results) ?? true);
}

/** Which scenarios get a row in the figure's table, and why the others do not. */
export interface FigureRows {
  shown: string[];
  /** Scenarios without builds of the figure's scope. */
  noBuilds: string[];
  /** Scenarios with such builds that do not measure the figure or have nothing to show. */
  omitted: string[];
}

/** Splits scenarios into those shown in a figure's scenario × policy table and those left out. */
export function figureRows(
  f: Figure,
  scenarios: readonly string[],
  resultsOf: (scenario: string) => readonly PairResult[],
): FigureRows {
  const rows: FigureRows = { shown: [], noBuilds: [], omitted: [] };
  for (const s of scenarios) {
    const rs = resultsOf(s);
    if (!hasScope(f, rs)) rows.noBuilds.push(s);
    else if (figureApplies(f, rs) && (f.worthARow?.(rs) ?? true)) rows.shown.push(s);
    else rows.omitted.push(s);
  }
  return rows;
}

/** The note under a figure's table: what it counts and which scenarios have no row. */
export function figureNote(
  f: Figure,
  rows: FigureRows,
  list: (names: readonly string[]) => string,
): string {
  const parts = [f.note];
  if (rows.noBuilds.length > 0)
    parts.push(
      `${f.over === 'all' ? 'No trials' : `No ${f.over} builds`} in ${list(rows.noBuilds)}.`,
    );
  if (rows.omitted.length > 0)
    parts.push(`${f.omitted ?? 'Not measured (–) in'} ${list(rows.omitted)}.`);
  return parts.join(' ');
}
