/** summary.csv: one row per scenario × policy with every figure in flat columns. */
import { stringify } from 'csv-stringify/sync';
import type { Distribution, PairResult, RateWithInterval, Summary } from '../eval/types.js';
import type { FinalState } from '../pipeline/types.js';
import { cell } from './cells.js';
import { resultsFor, scenarioOrder } from './model.js';

type Getter = (r: PairResult) => number | string | boolean | undefined;

function rateColumns(
  prefix: string,
  get: (r: PairResult) => RateWithInterval | undefined,
): Array<[string, Getter]> {
  return [
    [`${prefix}Count`, (r) => get(r)?.count],
    [`${prefix}Of`, (r) => get(r)?.of],
    [`${prefix}Rate`, (r) => get(r)?.rate],
    [`${prefix}Lo`, (r) => get(r)?.lo],
    [`${prefix}Hi`, (r) => get(r)?.hi],
  ];
}

function distColumns(
  prefix: string,
  get: (r: PairResult) => Distribution,
): Array<[string, Getter]> {
  return [
    [`${prefix}N`, (r) => get(r).n],
    [`${prefix}Mean`, (r) => get(r).mean],
    [`${prefix}P50`, (r) => get(r).p50],
    [`${prefix}P90`, (r) => get(r).p90],
  ];
}

/** The fixed columns of summary.csv, in order; `outcome*` columns follow them. */
export const SUMMARY_COLUMNS: ReadonlyArray<readonly [header: string, get: Getter]> = [
  ['scenario', (r) => r.scenario],
  ['policy', (r) => r.policy],
  ['trials', (r) => r.trials],
  ['badBuilds', (r) => r.badBuilds],
  ['goodBuilds', (r) => r.goodBuilds],
  ...rateColumns('shippedBad', (r) => r.shippedBad),
  ...rateColumns('blockedGood', (r) => r.blockedGood),
  ...distColumns('ttdMin', (r) => r.timeToDetectMin),
  ['rollbackAttempts', (r) => r.rollback.attempts],
  ['rollbackSuccesses', (r) => r.rollback.successes],
  ['rollbackSuccessRate', (r) => r.rollback.successRate],
  ['failedRequests', (r) => r.impact.failedRequests],
  ['slowRequests', (r) => r.impact.slowRequests],
  ['lostCheckouts', (r) => r.impact.lostCheckouts],
  ['lostRevenue', (r) => r.impact.lostRevenue],
  ['failedRequestsPerBadBuild', (r) => r.impact.failedRequestsPerBadBuild],
  ['lostCheckoutsPerBadBuild', (r) => r.impact.lostCheckoutsPerBadBuild],
  ['escapeFailedRequests', (r) => r.escapeImpact.failedRequests],
  ['escapeLostCheckouts', (r) => r.escapeImpact.lostCheckouts],
  ...distColumns('leadTimeMin', (r) => r.leadTimeMin),
  ['leadSplitBuilds', (r) => r.leadTimeSplit.builds],
  ['leadSplitNotShipped', (r) => r.leadTimeSplit.notShipped],
  ['leadSplitTotalMin', (r) => r.leadTimeSplit.meanMin.total],
  ['leadSplitActiveMin', (r) => r.leadTimeSplit.meanMin.active],
  ['leadSplitWindowMin', (r) => r.leadTimeSplit.meanMin.window],
  ['leadSplitPersonMin', (r) => r.leadTimeSplit.meanMin.person],
  ['leadSplitBakeMin', (r) => r.leadTimeSplit.meanMin.bake],
  ['deploysPerDay', (r) => r.deploysPerDay],
  ['freshBaselineHostHoursPerTrial', (r) => r.freshBaselineHostHoursPerTrial],
  ['changeFailureRate', (r) => r.dora.changeFailureRate],
  ...distColumns('timeToRestoreMin', (r) => r.dora.timeToRestoreMin),
  ['deploymentFrequencyPerDay', (r) => r.dora.deploymentFrequencyPerDay],
  ['fridayTrials', (r) => r.friday?.trials],
  ...rateColumns('friday', (r) => r.friday?.friday),
  ...rateColumns('tuesday', (r) => r.friday?.tuesday),
  ['fridayPValue', (r) => r.friday?.pValue],
  ['fridayPasses', (r) => r.friday?.passes],
  ...rateColumns('fridayMorning', (r) => r.friday?.fridayMorning),
  ...rateColumns('tuesdayMorning', (r) => r.friday?.tuesdayMorning),
  ['fridayMorningAfterMin', (r) => r.friday?.morningAfterMin.friday],
  ['tuesdayMorningAfterMin', (r) => r.friday?.morningAfterMin.tuesday],
  ['fridayFailedRequestsToMorning', (r) => r.friday?.impactToMorning.friday.failedRequests],
  ['tuesdayFailedRequestsToMorning', (r) => r.friday?.impactToMorning.tuesday.failedRequests],
  ['fridayLostCheckoutsToMorning', (r) => r.friday?.impactToMorning.friday.lostCheckouts],
  ['tuesdayLostCheckoutsToMorning', (r) => r.friday?.impactToMorning.tuesday.lostCheckouts],
];

/** Final states in the order the pipeline declares them; outcome columns list these first. */
const FINAL_STATES: readonly FinalState[] = [
  'blocked',
  'rolled-back',
  'shipped',
  'rollback-failed',
  'stalled',
];

/** `rolled-back` → `outcomeRolledBack`. */
export function outcomeColumn(key: string): string {
  return `outcome${key
    .split(/[^a-zA-Z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')}`;
}

/** The outcome keys present in any result: known final states first, then others sorted. */
export function outcomeKeys(summary: Summary): string[] {
  const present = new Set(summary.results.flatMap((r) => Object.keys(r.outcomes)));
  const known = FINAL_STATES.filter((k) => present.has(k));
  const other = [...present].filter((k) => !(FINAL_STATES as readonly string[]).includes(k)).sort();
  return [...known, ...other];
}

/**
 * The text of summary.csv. Every final-state count gets a column even when zero; numbers keep
 * full precision; an absent value (no Friday test, no data) is an empty cell.
 */
export function renderSummaryCsv(summary: Summary): string {
  const outcomes = [...new Set([...FINAL_STATES, ...outcomeKeys(summary)])];
  const header = [...SUMMARY_COLUMNS.map(([h]) => h), ...outcomes.map(outcomeColumn)];
  const rows = scenarioOrder(summary).flatMap((s) =>
    resultsFor(summary, s).map((r) => [
      ...SUMMARY_COLUMNS.map(([, get]) => cell(get(r))),
      ...outcomes.map((k) => cell(r.outcomes[k] ?? 0)),
    ]),
  );
  return stringify([header, ...rows]);
}
