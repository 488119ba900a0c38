/**
 * report.md of `gatesim recommend`: how the search went, the answer and why each of its
 * choices, the comparison with every given policy on fresh trials, the Pareto front (pooled
 * and per scenario), every candidate that ran the full trials, and, when nothing met the
 * constraints, which constraint binds on which scenario.
 */
import { describeBudget } from '../check/budgets.js';
import type { RateWithInterval } from '../eval/types.js';
import {
  formatMinutes,
  formatPercent,
  formatPValue,
  formatRateInterval,
} from '../report/format.js';
import { escapeMarkdown } from '../report/escape.js';
import type { CandidateFigures, RecommendResult } from './result.js';
import type { Constraint } from './records.js';
import { evidenceSentence, verdictSentence } from './sentences.js';
import type { PooledPaired } from './verify.js';

/**
 * A judged figure of a constraint: a rate as a percentage, a lead time in minutes, and
 * "unbounded" where too few good builds shipped to bound a p90 at 95% (check's rule).
 */
export function showJudged(c: Constraint | string, v: number): string {
  const lead = typeof c === 'string' ? c.startsWith('lead') : c.kind === 'max-lead-time-p90';
  if (lead)
    return Number.isFinite(v)
      ? formatMinutes(v)
      : 'unbounded (too few good builds shipped to bound a p90)';
  return formatPercent(v);
}

/** `blocked-good ≤ 5.0%`, `lead time p90 ≤ 8 h`. */
export function describeConstraint(c: Constraint): string {
  switch (c.kind) {
    case 'max-shipped-bad':
      return `shipped-bad ≤ ${formatPercent(c.limit)}`;
    case 'max-blocked-good':
      return `blocked-good ≤ ${formatPercent(c.limit)}`;
    case 'max-lead-time-p90':
      return `lead time p90 ≤ ${formatMinutes(c.limit)}`;
    default: {
      const never: never = c;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => escapeMarkdown(c)).join(' | ')} |`),
  ];
}

/**
 * `only 2/0, p 0.5`: the trials only the recommendation erred on, only the other did, and
 * McNemar's p; pooled over the scenarios or one scenario's row.
 */
function pairedCell(d: PooledPaired): string {
  return `only ${d.worseOnly}/${d.betterOnly}, p ${formatPValue(d.pValue)}`;
}

function counts(r: RateWithInterval): string {
  return r.of === 0 ? '–' : `${formatPercent(r.rate)} (${r.count}/${r.of})`;
}

/** A candidate's choices that differ from the answer's (or all of them without an answer). */
function difference(c: CandidateFigures, answer: CandidateFigures | undefined): string {
  if (c.given) return `${c.label} (given, unchanged)`;
  const mine = new Map((answer?.choices ?? []).map((x) => [x.dimension, x.choice]));
  const diff = c.choices.filter((x) => mine.get(x.dimension) !== x.choice);
  const gone = (answer?.choices ?? []).filter(
    (x) => !c.choices.some((y) => y.dimension === x.dimension),
  );
  const parts = [
    ...diff.map((x) => `${x.dimension}=${x.choice}`),
    ...gone.map((x) => `${x.dimension} not applied`),
  ];
  const base =
    answer !== undefined && c.base !== answer.base
      ? `on ${c.base}: `
      : c.base !== 'skeleton'
        ? `on ${c.base}: `
        : '';
  if (c.id === answer?.id) return 'the recommendation';
  return `${base}${parts.length === 0 ? 'same choices' : parts.join(', ')}`;
}

/** The Markdown report. */
export function renderRecommendMarkdown(
  r: RecommendResult,
  policyFile: string | undefined,
): string {
  const L: string[] = [];
  const answer = r.candidates.find((c) => c.id === r.recommended);
  L.push('# gatesim recommend', '');
  L.push(
    `Search space \`${r.space}\`; ${r.scenarios.length} scenarios; ${r.given.length} given polic${r.given.length === 1 ? 'y' : 'ies'} to beat` +
      (r.given.length > 0 ? ` (${r.given.join(', ')})` : '') +
      `; seed ${r.seed}; ${r.trials} trials per scenario for finalists and for the fresh comparison.`,
  );
  L.push(
    `Constraints: ${r.constraints.length === 0 ? 'none' : r.constraints.map(describeConstraint).join(', ')}` +
      (r.constraints.length > 0
        ? ` on every scenario, judged on the ${r.bound === 'upper' ? '95% upper bound' : 'estimate'}`
        : '') +
      '.',
  );
  L.push(
    `Candidates simulated: ${r.evaluations} of a budget of ${r.budget} (${r.candidates.filter((c) => !c.given && c.trials === r.trials).length} ran the full trials); ` +
      `${r.trialRuns.toLocaleString('en-US')} trial runs; ${r.discarded.length} distinct reasons to discard a point (below).`,
    '',
  );
  for (const n of r.notes) L.push(`Note: ${n}`, '');
  L.push('## Rounds', '');
  L.push(
    ...table(
      [
        'phase',
        'trials per scenario',
        'candidates (given policies and the best so far included)',
        'dropped by the paired test',
      ],
      r.rounds.map((x) => [
        x.phase,
        String(x.trials),
        String(x.candidates),
        String(x.droppedByTest),
      ]),
    ),
    '',
  );

  if (answer === undefined) {
    L.push('## No recommendation', '');
    if (r.constraints.length > 0) {
      L.push('No candidate that ran the full trials meets the constraints.', '');
      if (r.binding.length > 0) {
        L.push('Binding (no candidate meets it there):', '');
        for (const b of r.binding)
          L.push(
            `- ${b.constraint} on ${b.scenario}: the best any candidate reached is ${showJudged(b.constraint, b.best)} (#${b.candidate})`,
          );
        L.push('');
      }
      if (r.closest !== undefined) {
        L.push(`The closest, #${r.closest.candidate}, misses:`, '');
        for (const m of r.closest.misses)
          L.push(
            `- ${m.constraint} on ${m.scenario}: ${m.constraint.startsWith('lead') ? formatMinutes(m.judged) : formatPercent(m.judged)}`,
          );
        L.push('');
      }
    } else L.push('No valid candidate ran the full trials.', '');
  } else {
    L.push('## Recommendation', '');
    if (policyFile !== undefined)
      L.push(`Written to \`${policyFile}\`, each choice with its reason as a comment.`, '');
    L.push(
      `#${answer.id} (base: ${answer.base}): shipped-bad ${formatRateInterval(answer.shippedBad)}, blocked-good ${formatRateInterval(answer.blockedGood)}, lead time p90 ${formatMinutes(answer.leadTimeP90)} on the search's trials.`,
      '',
    );
    L.push(
      'Each choice against the best candidate that differs only there, on the trials they share:',
      '',
    );
    for (const ev of r.evidence) {
      if (!ev.active && ev.against === undefined) continue;
      L.push(`- ${evidenceSentence(ev)}`);
    }
    const inactive = r.evidence
      .filter((e) => !e.active && e.against === undefined)
      .map((e) => e.dimension);
    if (inactive.length > 0) L.push(`- Not applying to this policy: ${inactive.join(', ')}.`);
    L.push('');
  }

  const v = r.verification;
  if (v !== undefined) {
    L.push(`## On fresh trials (seed ${v.seed}, ${v.trials} per scenario)`, '');
    L.push(
      `None of these trials was used by the search. The same study is \`gatesim compare --seed ${v.seed} --trials ${v.trials}\` of these policies (it shards and merges like any compare).`,
      '',
    );
    L.push(
      ...table(
        ['policy', 'shipped-bad', 'blocked-good', 'lead time p90'],
        v.pooled.map((p) => [
          p.policy,
          counts(p.shippedBad),
          counts(p.blockedGood),
          formatMinutes(p.leadTimeP90.value),
        ]),
      ),
      '',
    );
    if (v.versus.length > 0) {
      L.push(
        ...table(
          [
            'against',
            'Pareto-dominates (pooled)',
            'pooled, trial by trial: shipped-bad · blocked-good',
            'significantly worse on',
            'significantly better on',
          ],
          v.versus.map((x) => [
            x.policy,
            x.dominates ? 'yes' : 'no',
            `${pairedCell(x.paired.shippedBad)} · ${pairedCell(x.paired.blockedGood)}`,
            x.worseOn.length === 0 ? '–' : x.worseOn.join(', '),
            x.betterOn.length === 0 ? '–' : x.betterOn.join(', '),
          ]),
        ),
        '',
      );
      L.push(
        'Per scenario (McNemar exact, two-sided; "only" counts the trials where just one of the two erred):',
        '',
      );
      const rows: string[][] = [];
      for (const x of v.versus) {
        for (let i = 0; i < x.regressions.length; i += 2) {
          const sb = x.regressions[i]!;
          const bg = x.regressions[i + 1]!;
          const cell = (g: typeof sb) =>
            g.of === 0
              ? '–'
              : `${g.currentCount} vs ${g.baselineCount} of ${g.of} (${pairedCell(g)})${g.verdict === 'same' ? '' : ` ${g.verdict}`}`;
          if (sb.worseOnly + sb.betterOnly + bg.worseOnly + bg.betterOnly === 0) continue;
          rows.push([x.policy, sb.scenario, cell(sb), cell(bg)]);
        }
      }
      L.push(
        ...table(
          [
            'against',
            'scenario',
            'shipped-bad: recommended vs it',
            'blocked-good: recommended vs it',
          ],
          rows,
        ),
      );
      L.push('', 'Scenarios not listed against a policy: the two decided every trial alike.', '');
    }
    if (v.budgets.length > 0) {
      L.push(
        ...table(
          ['scenario', 'budget', 'judged', 'result'],
          v.budgets.map((b) => [
            b.scenario,
            describeBudget(b.budget),
            b.judged === undefined
              ? '–'
              : b.budget.kind.endsWith('p90')
                ? formatMinutes(b.judged)
                : formatPercent(b.judged),
            b.status.toUpperCase() + (b.note === undefined ? '' : ` (${b.note})`),
          ]),
        ),
        '',
      );
    }
    L.push(`Verdict: ${escapeMarkdown(verdictSentence(v))}.`, '');
  }

  const full = r.candidates
    .filter((c) => c.trials === r.trials)
    .sort(
      (a, b) =>
        Number(b.feasible) - Number(a.feasible) ||
        a.constraintExcess - b.constraintExcess ||
        a.worse - b.worse ||
        a.dominanceExcess - b.dominanceExcess ||
        a.loss - b.loss ||
        a.leadTimeP90 - b.leadTimeP90 ||
        a.id - b.id,
    );
  const front = full.filter((c) => c.pareto);
  L.push(
    `## Pareto front (${front.length} of ${full.length} candidates that ran the full trials; search trials)`,
    '',
  );
  L.push(
    ...table(
      ['#', 'candidate', 'shipped-bad', 'blocked-good', 'lead time p90'],
      front.map((c) => [
        String(c.id),
        difference(c, answer),
        counts(c.shippedBad),
        counts(c.blockedGood),
        formatMinutes(c.leadTimeP90),
      ]),
    ),
    '',
  );
  L.push("On each scenario's own figures:", '');
  L.push(
    ...table(
      ['scenario', 'on the front'],
      r.scenarios.map((s) => [
        s,
        full
          .filter((c) => c.paretoOn.includes(s))
          .map((c) => c.label)
          .join(', '),
      ]),
    ),
    '',
  );
  L.push('## Every candidate that ran the full trials, best first', '');
  L.push(
    ...table(
      [
        '#',
        'candidate',
        'shipped-bad',
        'blocked-good',
        'lead time p90',
        'worse than a given policy',
        'short of dominating',
        'meets constraints',
      ],
      full.map((c) => [
        String(c.id),
        difference(c, answer),
        counts(c.shippedBad),
        counts(c.blockedGood),
        formatMinutes(c.leadTimeP90),
        String(c.worse),
        c.dominanceExcess === 0 ? '–' : formatPercent(c.dominanceExcess),
        c.feasible ? 'yes' : 'no',
      ]),
    ),
    '',
  );
  if (r.discarded.length > 0) {
    L.push('## Discarded points', '');
    L.push(
      "Points of the space the policy loader or a scenario's fleet rejects (one example of each reason):",
      '',
    );
    for (const d of r.discarded.slice(0, 20)) L.push(`- ${escapeMarkdown(d.reason)}`);
    if (r.discarded.length > 20) L.push(`- … and ${r.discarded.length - 20} more`);
    L.push('');
  }
  return L.join('\n');
}
