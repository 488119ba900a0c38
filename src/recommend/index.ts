/**
 * `gatesim recommend`: search policy structures, not only thresholds, for a policy that beats
 * every given one. The library side: the search (search.ts) on common random numbers, the
 * answer and its Pareto front on the search's trials, the evidence for each choice, and the
 * judgement on fresh trials (verify.ts). The CLI prints, writes and sets the exit code.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parsePolicy, parseYaml, readConfigFile } from '../config/index.js';
import type { Bound } from '../check/bounds.js';
import { GatesimError } from '../errors.js';
import type { RateWithInterval } from '../eval/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { writeFilesTogether } from '../report/files-together.js';
import { formatMinutes, formatRateInterval } from '../report/format.js';
import { paretoFront3 } from '../tune/select.js';
import { fleetFacts, policyKey } from './build.js';
import { choiceText, gatherEvidence } from './evidence.js';
import { plainCopy } from './patch.js';
import { isMapping } from './path.js';
import {
  constraintExcesses,
  rankKey,
  standing,
  compareKeys,
  type RankContext,
  type Standing,
} from './rank.js';
import { figures, judgedFigure, tally, type Constraint } from './records.js';
import { renderCommented, commentLines, type NodeNote } from './render-yaml.js';
import { renderRecommendMarkdown, describeConstraint } from './report.js';
import type { CandidateFigures, GivenPolicy, RecommendOptions, RecommendResult } from './result.js';
import { search, type SearchCandidate } from './search.js';
import { evidenceSentence } from './sentences.js';
import type { BasePolicy, Space } from './types.js';
import { verificationSeed, verify } from './verify.js';

export type { Constraint } from './records.js';
export type {
  GivenPolicy,
  RecommendOptions,
  CandidateFigures,
  Binding,
  RecommendResult,
} from './result.js';
export type { Space, Dimension, Assignment, PatchOp } from './types.js';
export { loadSpace, parseSpace } from './space.js';
export { verificationSeed } from './verify.js';
export { describeConstraint, renderRecommendMarkdown, showJudged } from './report.js';

/** The given policies' agreed value for each `fromPolicies` key goes into the skeleton. */
function adoptFromPolicies(
  space: Space,
  given: readonly BasePolicy[],
  notes: string[],
): BasePolicy {
  const data = plainCopy(space.skeleton.data);
  if (given.length === 0) return space.skeleton;
  for (const key of space.fromPolicies) {
    const values = given.map((g) => JSON.stringify(g.data[key] ?? null));
    if (new Set(values).size === 1) {
      const v = given[0]!.data[key];
      if (v === undefined) delete data[key];
      else data[key] = plainCopy(v);
    } else {
      notes.push(`${key}: the given policies differ, so the skeleton's is kept`);
    }
  }
  return { ...space.skeleton, data };
}

function readGiven(g: GivenPolicy): BasePolicy {
  const data = parseYaml(readConfigFile(g.file), g.file);
  if (!isMapping(data))
    throw new GatesimError('bad-policy', `${g.file}: expected a policy mapping`);
  return { name: g.policy.name, file: g.file, data, kind: 'given' };
}

function describeFigures(
  c: SearchCandidate,
  s: Standing,
  space: Space,
  bases: readonly BasePolicy[],
  scenarios: readonly string[],
): CandidateFigures {
  const choices = space.dimensions.flatMap((d, i) =>
    c.built.active[i]
      ? [
          {
            dimension: d.name,
            choice: choiceText(space, i, c.assignment.values[i] ?? d.defaultIndex),
          },
        ]
      : [],
  );
  return {
    id: c.id,
    label: c.label,
    origin: c.origin,
    given: c.given,
    base: bases[c.assignment.base]!.name,
    choices,
    trials: c.records.trials,
    shippedBad: s.figures.shippedBad,
    blockedGood: s.figures.blockedGood,
    leadTimeP90: s.leadP90,
    loss: s.loss,
    worse: s.worse,
    dominanceExcess: s.dominanceExcess,
    constraintExcess: s.constraintExcess,
    perScenario: s.perScenario.map((t, i) => {
      const f = figures(t);
      return {
        scenario: scenarios[i]!,
        shippedBad: f.shippedBad,
        blockedGood: f.blockedGood,
        leadTimeP90: t.lead.length > 0 ? f.leadP90.value : t.good > 0 ? Infinity : 0,
      };
    }),
    feasible: false,
    pareto: false,
    paretoOn: [],
  };
}

function objectivesOf(sb: RateWithInterval, bg: RateWithInterval, lead: number) {
  return {
    shippedBad: sb.of > 0 ? sb.rate : 0,
    blockedGood: bg.of > 0 ? bg.rate : 0,
    leadTimeP90: lead,
  };
}

/**
 * Searches the space for a policy that beats every given one, and judges the answer on
 * fresh trials.
 * @throws GatesimError when nothing can be searched (no scenarios, nothing valid to try).
 */
export async function recommend(o: RecommendOptions): Promise<RecommendResult> {
  if (o.scenarios.length === 0) throw new GatesimError('bad-option', 'give at least one scenario');
  const bound = o.bound ?? 'upper';
  const constraints = [...(o.constraints ?? [])];
  const notes: string[] = [];
  const givenBases = o.given.map(readGiven);
  const skeleton = adoptFromPolicies(o.space, givenBases, notes);
  const space: Space = { ...o.space, skeleton };
  const bases = [skeleton, ...givenBases];
  o.onPhase?.('search');
  const found = await search({
    space,
    bases,
    scenarios: o.scenarios,
    seed: o.seed,
    trials: o.trials,
    budget: o.budget,
    workers: o.workers ?? 1,
    constraints,
    bound,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
    ...(o.onTrials !== undefined ? { onTrials: o.onTrials } : {}),
  });
  const names = o.scenarios.map((s) => s.name);
  const givenCandidates = found.candidates.filter((c) => c.given);
  const ctx: RankContext = {
    scenarios: names,
    constraints,
    references: givenCandidates.map((c) => ({ name: c.label, records: c.records })),
  };
  const full = found.candidates.filter((c) => c.records.trials === o.trials);
  const standings = new Map(
    found.candidates
      .filter((c) => c.records.trials > 0)
      .map((c) => [c.id, standing(c.records, c.records.trials, ctx, bound)]),
  );
  const reports = found.candidates
    .filter((c) => c.records.trials > 0)
    .map((c) => describeFigures(c, standings.get(c.id)!, space, bases, names));
  const reportOf = new Map(reports.map((r) => [r.id, r]));
  for (const c of full) reportOf.get(c.id)!.feasible = standings.get(c.id)!.constraintExcess === 0;
  // Pareto fronts over the full-trial candidates: pooled, and on each scenario.
  const fullReports = full.map((c) => reportOf.get(c.id)!);
  for (const i of paretoFront3(
    fullReports.map((r) => objectivesOf(r.shippedBad, r.blockedGood, r.leadTimeP90)),
  ))
    fullReports[i]!.pareto = true;
  names.forEach((scenario, s) => {
    const pts = fullReports.map((r) => {
      const p = r.perScenario[s]!;
      return objectivesOf(p.shippedBad, p.blockedGood, p.leadTimeP90);
    });
    for (const i of paretoFront3(pts)) fullReports[i]!.paretoOn.push(scenario);
  });
  // The answer: the best full-trial candidate that meets the constraints and is not a given policy unchanged.
  const ranked = full
    .filter((c) => !c.given && reportOf.get(c.id)!.feasible)
    .sort(
      (a, b) =>
        compareKeys(rankKey(standings.get(a.id)!), rankKey(standings.get(b.id)!)) || a.id - b.id,
    );
  const answer = ranked[0];
  const result: RecommendResult = {
    seed: o.seed,
    trials: o.trials,
    budget: o.budget,
    space: o.space.file,
    scenarios: names,
    given: givenCandidates.map((c) => c.label),
    constraints,
    bound,
    rounds: found.rounds,
    evaluations: found.evaluations,
    trialRuns: found.trialRuns,
    discarded: found.discarded.map((d) => ({ reason: d.reason })),
    path: found.path,
    candidates: reports,
    recommended: answer?.id,
    binding: [],
    closest: undefined,
    evidence: [],
    yaml: undefined,
    verification: undefined,
    notes,
  };
  if (answer === undefined) {
    explainInfeasible(
      result,
      full.filter((c) => !c.given),
      constraints,
      bound,
      names,
    );
    o.onPhase?.('done');
    return result;
  }
  result.evidence = gatherEvidence(
    space,
    bases,
    o.scenarios,
    answer,
    found.candidates,
    ctx,
    fleetFacts(o.scenarios),
  );
  if (o.verify !== false) {
    o.onPhase?.('verify');
    const recommended: PolicyConfig = {
      ...answer.policy,
      name: uniqueName('recommended', result.given),
    };
    result.verification = await verify({
      recommended,
      given: givenCandidates.map((c) => ({ ...c.policy, name: c.label })),
      scenarios: o.scenarios,
      seed: verificationSeed(o.seed),
      trials: o.trials,
      workers: o.workers ?? 1,
      constraints,
      bound,
    });
  }
  result.yaml = renderAnswer(result, answer, standings.get(answer.id)!, space, bases);
  // The written file must load as exactly the policy that was simulated.
  const reread = parsePolicy(result.yaml, 'recommended.yaml');
  if (policyKey(reread) !== answer.key)
    throw new Error('the recommended YAML does not load as the simulated policy');
  o.onPhase?.('done');
  return result;
}

/** The files `writeRecommendOutputs` writes. */
export interface RecommendFiles {
  json: string;
  markdown: string;
  /** Undefined when nothing was recommended. */
  policy: string | undefined;
}

/** recommend.json: the whole result but the fresh study's raw outcomes (Infinity written as null). */
export function renderRecommendJson(r: RecommendResult): string {
  const { verification, ...rest } = r;
  const v =
    verification === undefined
      ? undefined
      : { ...verification, study: undefined, summary: verification.study.summary };
  return JSON.stringify({ gatesimRecommend: 1, ...rest, verification: v }, null, 2) + '\n';
}

/**
 * Writes recommended.yaml, report.md and recommend.json into `dir`, each to a temporary file
 * first and then renamed, so a reader never sees half a file.
 */
export async function writeRecommendOutputs(
  r: RecommendResult,
  dir: string,
): Promise<RecommendFiles> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const policyName = r.yaml === undefined ? undefined : 'recommended.yaml';
  const files: [string, string][] = [
    ['recommend.json', renderRecommendJson(r)],
    ['report.md', renderRecommendMarkdown(r, policyName)],
  ];
  if (policyName !== undefined && r.yaml !== undefined) files.push([policyName, r.yaml]);
  await writeFilesTogether(out, files);
  return {
    json: join(out, 'recommend.json'),
    markdown: join(out, 'report.md'),
    policy: policyName === undefined ? undefined : join(out, policyName),
  };
}

function uniqueName(want: string, taken: readonly string[]): string {
  let name = want;
  for (let k = 2; taken.includes(name); k++) name = `${want}-${k}`;
  return name;
}

function explainInfeasible(
  result: RecommendResult,
  full: readonly SearchCandidate[],
  constraints: readonly Constraint[],
  bound: Bound,
  names: readonly string[],
): void {
  if (full.length === 0) return;
  constraints.forEach((c) => {
    names.forEach((scenario, s) => {
      let best = Infinity;
      let who = full[0]!.id;
      for (const cand of full) {
        const v = judgedFigure(tally(cand.records, s, cand.records.trials), c, bound);
        const x = v ?? -Infinity;
        if (x < best) {
          best = x;
          who = cand.id;
        }
      }
      if (best > c.limit)
        result.binding.push({ constraint: describeConstraint(c), scenario, best, candidate: who });
    });
  });
  // The closest: the least total excess.
  let closest: SearchCandidate | undefined;
  let least = Infinity;
  for (const cand of full) {
    const per = names.map((_, s) => tally(cand.records, s, cand.records.trials));
    const ex = constraintExcesses(per, constraints, bound)
      .flat()
      .reduce((a, b) => a + b, 0);
    if (ex < least) {
      least = ex;
      closest = cand;
    }
  }
  if (closest === undefined) return;
  const misses: { constraint: string; scenario: string; judged: number }[] = [];
  constraints.forEach((c) =>
    names.forEach((scenario, s) => {
      const v = judgedFigure(tally(closest.records, s, closest.records.trials), c, bound);
      if (v !== undefined && v > c.limit)
        misses.push({ constraint: describeConstraint(c), scenario, judged: v });
    }),
  );
  result.closest = { candidate: closest.id, misses };
}

function renderAnswer(
  r: RecommendResult,
  answer: SearchCandidate,
  s: Standing,
  space: Space,
  bases: readonly BasePolicy[],
): string {
  const base = bases[answer.assignment.base]!;
  const header: string[] = [];
  const add = (text: string) => header.push(...commentLines(text));
  add(
    `Recommended by \`gatesim recommend\` (seed ${r.seed}; ${r.evaluations} candidates searched in ${space.file}, ` +
      `the finalists on ${r.trials} trials of ${r.scenarios.length === 1 ? 'the scenario' : `each of ${r.scenarios.length} scenarios`}: ${r.scenarios.join(', ')}).`,
  );
  add(
    base.kind === 'skeleton'
      ? "Built on the space's skeleton with the choices below."
      : `Built on ${base.file} (its own comments are not carried over) with the changes below.`,
  );
  add(
    `On the search's trials: shipped-bad ${formatRateInterval(s.figures.shippedBad)}, blocked-good ${formatRateInterval(s.figures.blockedGood)}, lead time p90 ${formatMinutes(s.leadP90)}.`,
  );
  const v = r.verification;
  if (v !== undefined) {
    const mine = v.pooled[0]!;
    add(
      `On fresh trials (seed ${v.seed}, ${v.trials} per scenario): shipped-bad ${formatRateInterval(mine.shippedBad)}, ` +
        `blocked-good ${formatRateInterval(mine.blockedGood)}, lead time p90 ${formatMinutes(mine.leadTimeP90.value)}.`,
    );
    if (v.versus.length > 0) {
      const dom = v.versus.filter((x) => x.dominates).map((x) => x.policy);
      const notDom = v.versus.filter((x) => !x.dominates).map((x) => x.policy);
      const worse = v.versus.filter((x) => x.worseOn.length > 0);
      add(
        `There it Pareto-dominates ${dom.length === v.versus.length ? 'every given policy' : dom.length === 0 ? 'none of the given policies' : dom.join(', ')} on pooled shipped-bad and blocked-good` +
          (notDom.length > 0 && dom.length > 0 ? ` (not ${notDom.join(', ')})` : '') +
          `, and is ${worse.length === 0 ? 'significantly worse than none of them on any scenario' : `significantly worse than ${worse.map((x) => `${x.policy} on ${x.worseOn.join(', ')}`).join('; ')}`} (McNemar, 5%).`,
      );
    }
  }
  add(
    'Each choice below is compared, on the same trials, with the best candidate that differs only there:',
  );
  const notes: NodeNote[] = [];
  r.evidence.forEach((ev, i) => {
    if (!ev.active && ev.against === undefined) return;
    const sentence = evidenceSentence(ev);
    header.push(...commentLines(`- ${sentence}`, 96, '  '));
    notes.push({
      touches: answer.built.touches[i] ?? [],
      lines: commentLines(evidenceSentence(ev, false)),
    });
  });
  // Comments attach to the built data's own nodes (touches hold them), so it is rendered in
  // place, with the description first.
  const root = answer.built.data;
  const rest = Object.entries(root).filter(([k]) => k !== 'description');
  for (const k of Object.keys(root)) delete root[k];
  root.description = `Recommended by gatesim recommend (seed ${r.seed}); the comments say why.`;
  for (const [k, v] of rest) root[k] = v;
  return renderCommented(root, header, notes);
}
