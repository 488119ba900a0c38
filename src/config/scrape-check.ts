/**
 * Warnings for checks whose query window cannot hold the scrapes its query needs: Prometheus
 * returns nothing for `rate(x[w])` when the range (t − w, t] holds fewer than two samples
 * (world/scrape.ts), so such a check reads no data at some or all measurements and takes its
 * onMissingData verdict. The policy is valid; the warning says what it will do.
 */
import type { ValidationIssue } from '../errors.js';
import type { CheckConfig, PolicyConfig } from '../policy/types.js';
import { formatDuration } from '../util/duration.js';
import { samplesNeeded, windowCoverage } from '../world/scrape.js';
import type { Minutes } from '../world/types.js';
import { formatPath } from './issues.js';

/**
 * The shortest window a check's measurements read: its lookback, or (for `interval` and
 * `cumulative`, whose first measurement reads one interval) its interval.
 */
export function shortestWindow(check: Pick<CheckConfig, 'window' | 'interval'>): Minutes {
  return typeof check.window === 'number' ? check.window : check.interval;
}

/**
 * One warning per check (by name and message, so a check repeated on every stage is named once)
 * whose window holds fewer scrapes than its metric's query needs at `scrapeInterval`, at some
 * or at every measurement.
 * @example scrapeWarnings(policy, 0.5) // [{ path: 'stages[0].checks[1].window', message: 'check `request-duration`: …' }]
 */
export function scrapeWarnings(policy: PolicyConfig, scrapeInterval: Minutes): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  const visit = (check: CheckConfig, at: PropertyKey[]): void => {
    const message = windowMessage(check, scrapeInterval);
    if (message === undefined || seen.has(message)) return;
    seen.add(message);
    const field = typeof check.window === 'number' ? 'window' : 'interval';
    out.push({ path: formatPath([...at, field]), message });
  };
  policy.stages.forEach((stage, i) =>
    stage.checks.forEach((c, j) => visit(c, ['stages', i, 'checks', j])),
  );
  policy.watch?.checks.forEach((c, j) => visit(c, ['watch', 'checks', j]));
  return out;
}

/** What a check's window does at this scrape interval, when it cannot always hold its scrapes. */
function windowMessage(check: CheckConfig, s: Minutes): string | undefined {
  const w = shortestWindow(check);
  const coverage = windowCoverage(w, s, check.metric);
  if (coverage === 'always') return undefined;
  const need = samplesNeeded(check.metric);
  const cumulative = check.window === 'cumulative';
  const window =
    typeof check.window === 'number'
      ? `its ${formatDuration(w)} window`
      : cumulative
        ? `its first window (cumulative: one ${formatDuration(w)} interval)`
        : `its ${formatDuration(w)} window (one interval)`;
  const query =
    need === 2
      ? `a rate (${check.metric}) needs two scrapes in its window`
      : `a gauge (${check.metric}) needs one scrape in its window`;
  const head = `check \`${check.name}\`: at a ${formatDuration(s)} scrape interval, ${query}`;
  const missing = `onMissingData: ${check.onMissingData}`;
  const fix = `a window of at least ${formatDuration(need * s)} always holds ${need === 2 ? 'two' : 'one'}`;
  if (coverage === 'never') {
    const which = cumulative ? 'the first measurement reads' : 'every measurement reads';
    return `${head}, and ${window} holds at most one: ${which} no data (${missing}); ${fix}`;
  }
  // Over a uniformly placed grid, a window of length w holds `need` scrapes with chance
  // (w − (need − 1)s) / s.
  const emptyShare = Math.round(((need * s - w) / s) * 100);
  const which = cumulative
    ? 'the first measurement reads'
    : `about ${emptyShare}% of measurements read`;
  return `${head}, and ${window} holds too few ${cumulative ? `${emptyShare}% of the time` : 'depending on where the scrapes fall'}: ${which} no data (${missing}); ${fix}`;
}
