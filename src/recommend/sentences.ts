/**
 * The evidence in words, for the YAML comments and the report:
 * `baseline-scope: region — against fleet (200 trials): fixes 41 of 200 good builds blocked
 * on concurrent-deploys (e.g. trials 3, 17, 45); costs nothing; lead time p90 4.1 h vs 4.1 h`.
 */
import { formatMinutes, formatPercent, formatPValue } from '../report/format.js';
import type { Evidence, TrialDifference } from './evidence.js';
import type { PooledPaired, Verification } from './verify.js';

function part(d: TrialDifference, examples: boolean): string[] {
  const out: string[] = [];
  if (d.shippedBad > 0) out.push(`${d.shippedBad} of ${d.bad} bad builds shipped`);
  if (d.blockedGood > 0) out.push(`${d.blockedGood} of ${d.good} good builds blocked`);
  const eg =
    examples && d.examples.length > 0
      ? ` (e.g. trial${d.examples.length > 1 ? 's' : ''} ${d.examples.join(', ')})`
      : '';
  return [`${out.join(' and ')} on ${d.scenario}${eg}`];
}

/** `41 of 200 good builds blocked on concurrent-deploys (e.g. trials 3, 17), 2 of 18 …`. */
export function listDifferences(ds: readonly TrialDifference[], examples = true): string {
  return ds.flatMap((d) => part(d, examples)).join('; ');
}

/** `staging builds no valid policy here; truthful as given was not run`. */
function untriedText(ev: Evidence): string {
  const parts: string[] = [];
  const { rejected, untried } = ev;
  if (rejected.length > 0)
    parts.push(
      `${rejected.join(', ')} ${rejected.length === 1 ? 'builds' : 'build'} no valid policy here`,
    );
  if (untried.length > 0)
    parts.push(`${untried.join(', ')} ${untried.length === 1 ? 'was' : 'were'} not run`);
  return parts.join('; ');
}

/** One dimension's choice and why, in a sentence. */
export function evidenceSentence(ev: Evidence, examples = true): string {
  const head = `${ev.dimension}: ${ev.choice}`;
  if (!ev.active && ev.choice !== 'unset' && ev.against === undefined)
    return `${head} — does not apply to this policy (its patch selects nothing here)`;
  const a = ev.against;
  if (a === undefined) {
    if (ev.untried.length + ev.rejected.length > 0)
      return `${head} — not compared: ${untriedText(ev)}`;
    if (ev.sameAs.length > 0) return `${head} — every other option builds the same policy here`;
    return `${head} — the only option`;
  }
  const prefix = ev.choice === 'unset' ? `${ev.dimension}: left as the base has it` : head;
  const fixes =
    a.fixes.length > 0 ? `fixes ${listDifferences(a.fixes, examples)}` : 'fixes nothing';
  const costs =
    a.costs.length > 0 ? `costs ${listDifferences(a.costs, examples)}` : 'costs nothing';
  const lead =
    a.leadP90.answer === a.leadP90.other
      ? `lead time p90 the same (${formatMinutes(a.leadP90.answer)})`
      : `lead time p90 ${formatMinutes(a.leadP90.answer)} vs ${formatMinutes(a.leadP90.other)}`;
  const also =
    a.alsoDiffers.length === 0
      ? ''
      : `, which also has ${a.alsoDiffers.map((x) => `${x.dimension}: ${x.choice}`).join(', ')}`;
  const decided = a.decidedBy === undefined ? '' : `; ${a.decidedBy}`;
  return `${prefix} — against ${a.choice} (#${a.candidate}${also}, ${a.trials} trials per scenario): ${fixes}; ${costs}; ${lead}${decided}`;
}

/**
 * The fresh comparison's verdict with its reasons: PASS names what it met, FAIL each given
 * policy it does not dominate (with both pooled figures, and for each figure it is behind on,
 * the trials only one of the two erred on and McNemar's p, so a shortfall of chance reads as
 * one), each regression and each budget missed, so a reader never has to work out from the
 * table why it failed.
 */
export function verdictSentence(v: Verification): string {
  if (v.passed)
    return 'PASS: dominates every given policy, is significantly worse than none on any scenario, meets every budget';
  const mine = v.pooled[0]!;
  const reasons: string[] = [];
  v.versus.forEach((vs, i) => {
    const theirs = v.pooled[i + 1]!;
    if (!vs.dominates) {
      // Where it falls short, whether the shortfall is beyond chance: paired over every scenario.
      const shortfall = (figure: string, more: boolean, d: PooledPaired): string =>
        more
          ? `; ${figure} trial by trial: ${d.worseOnly} only it, ${d.betterOnly} only ${vs.policy}, McNemar p ${formatPValue(d.pValue)}`
          : '';
      const behind =
        shortfall(
          'shipped-bad',
          mine.shippedBad.count > theirs.shippedBad.count,
          vs.paired.shippedBad,
        ) +
        shortfall(
          'blocked-good',
          mine.blockedGood.count > theirs.blockedGood.count,
          vs.paired.blockedGood,
        );
      reasons.push(
        `does not dominate ${vs.policy} (shipped-bad ${formatPercent(mine.shippedBad.rate)} vs ${formatPercent(theirs.shippedBad.rate)}, blocked-good ${formatPercent(mine.blockedGood.rate)} vs ${formatPercent(theirs.blockedGood.rate)}${behind})`,
      );
    }
    if (vs.worseOn.length > 0)
      reasons.push(`significantly worse than ${vs.policy} on ${vs.worseOn.join(', ')}`);
  });
  const missed = v.budgets.filter((b) => b.status === 'fail').length;
  if (missed > 0) reasons.push(`misses ${missed} budget${missed === 1 ? '' : 's'}`);
  return `FAIL: ${reasons.join('; ')}`;
}
