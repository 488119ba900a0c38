import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parseBound, parseWhole } from '../check/options.js';
import { constraintsOf } from './constraints.js';
import { GatesimError } from '../errors.js';
import {
  describeConstraint,
  showJudged,
  loadSpace,
  recommend,
  writeRecommendOutputs,
  type Constraint,
  type RecommendResult,
} from '../recommend/index.js';
import { evidenceSentence, verdictSentence } from '../recommend/sentences.js';
import { formatMinutes, formatRateInterval } from '../report/format.js';
import { DEFAULT_RECOMMEND_BUDGET, DEFAULT_RECOMMEND_TRIALS } from './options.js';
import { defaultScenarioPaths, expandPaths, loadInputs, packageRoot } from './inputs.js';

/** The built-in search space, shipped with the package. */
export function defaultSpacePath(): string {
  return join(packageRoot(), 'recommend', 'space.yaml');
}

/** Options as commander hands them over: raw strings, checked in the action so bad input exits 2. */
export interface RecommendCliOptions {
  space?: string;
  scenarios?: string[];
  policies?: string[];
  maxBlockedGood?: string;
  maxShippedBad?: string;
  maxLeadTimeP90?: string;
  bound?: string;
  trials?: string;
  budget?: string;
  seed?: string;
  workers?: string;
  out?: string;
  quiet?: boolean;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Runs `gatesim recommend`; exit code 1 when nothing is recommended or it misses a constraint on fresh trials. */
export async function runRecommendCommand(o: RecommendCliOptions): Promise<RecommendResult> {
  const constraints = constraintsOf(o);
  const trials =
    o.trials === undefined ? DEFAULT_RECOMMEND_TRIALS : parseWhole('--trials', o.trials, 1);
  const budget =
    o.budget === undefined ? DEFAULT_RECOMMEND_BUDGET : parseWhole('--budget', o.budget, 1);
  const seed = o.seed === undefined ? 1 : parseWhole('--seed', o.seed, 0);
  const workers =
    o.workers === undefined ? availableParallelism() : parseWhole('--workers', o.workers, 1);
  const bound = parseBound('--bound', o.bound ?? 'upper');
  const space = loadSpace(o.space ?? defaultSpacePath());
  const policyFiles = o.policies === undefined ? [] : expandPaths(o.policies);
  const { scenarios, policies } = loadInputs(o.scenarios ?? defaultScenarioPaths(), policyFiles);
  if (scenarios.length === 0)
    throw new GatesimError('bad-option', '--scenarios: no scenarios given');
  const say = (s: string): void => {
    if (o.quiet !== true) process.stderr.write(`${s}\n`);
  };
  const start = performance.now();
  // Wall time and CPU time (every thread of this process) at the start of each phase: CPU
  // time says what a run costs whatever else the machine is doing.
  const phases = new Map<string, { wall: number; cpu: number }>();
  const now = () => {
    const u = process.cpuUsage();
    return { wall: performance.now(), cpu: (u.user + u.system) / 1000 };
  };
  const begun = now();
  let runs = 0;
  const result = await recommend({
    space,
    given: policies.map((p, i) => ({ file: policyFiles[i]!, policy: p })),
    scenarios,
    constraints,
    bound,
    trials,
    budget,
    seed,
    workers,
    onPhase: (phase) => phases.set(phase, now()),
    onTrials: (n) => {
      runs += n;
    },
    onProgress: (message) =>
      say(
        `[${seconds(performance.now() - start)}, ${runs.toLocaleString('en-US')} trial runs] ${message}`,
      ),
  });
  const files = await writeRecommendOutputs(result, o.out ?? 'reports/recommend');
  const end = now();
  const searchFrom = phases.get('search') ?? begun;
  const searchTo = phases.get('verify') ?? phases.get('done') ?? end;
  const verifyFrom = phases.get('verify');
  const verifyTo = phases.get('done') ?? end;
  process.stdout.write(
    summaryText(result, {
      searchMs: searchTo.wall - searchFrom.wall,
      searchCpuMs: searchTo.cpu - searchFrom.cpu,
      verifyMs: verifyFrom === undefined ? 0 : verifyTo.wall - verifyFrom.wall,
      verifyCpuMs: verifyFrom === undefined ? 0 : verifyTo.cpu - verifyFrom.cpu,
      workers,
      files: [files.policy, files.markdown, files.json].filter((f): f is string => f !== undefined),
    }),
  );
  const v = result.verification;
  if (
    result.recommended === undefined ||
    (v !== undefined && v.budgets.some((b) => b.status === 'fail'))
  )
    process.exitCode = 1;
  return result;
}

function shown(f: string): string {
  const r = relative(process.cwd(), f);
  return r === '' || r.startsWith('..') ? f : r;
}

/** The lines `gatesim recommend` prints. */
export function summaryText(
  r: RecommendResult,
  t: {
    searchMs: number;
    searchCpuMs: number;
    verifyMs: number;
    verifyCpuMs: number;
    workers: number;
    files: string[];
  },
): string {
  const L: string[] = [];
  const perEval = r.evaluations > 0 ? t.searchMs / r.evaluations : NaN;
  const cpuPerEval = r.evaluations > 0 ? t.searchCpuMs / r.evaluations : NaN;
  const perRun = r.trialRuns > 0 ? t.searchCpuMs / r.trialRuns : NaN;
  L.push(
    `recommend: ${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'}, ${r.given.length} given polic${r.given.length === 1 ? 'y' : 'ies'}, seed ${r.seed}, ${t.workers} worker${t.workers === 1 ? '' : 's'}: ` +
      `${r.evaluations} candidates searched (budget ${r.budget}), ${r.trialRuns.toLocaleString('en-US')} trial runs in ${seconds(t.searchMs)} ` +
      `(${seconds(t.searchCpuMs)} CPU; per candidate ${(perEval / 1000).toFixed(1)} s, ${(cpuPerEval / 1000).toFixed(1)} s CPU; ${perRun.toFixed(2)} ms CPU per trial run)` +
      (t.verifyMs > 0
        ? `; fresh comparison ${seconds(t.verifyMs)} (${seconds(t.verifyCpuMs)} CPU)`
        : ''),
  );
  const answer = r.candidates.find((c) => c.id === r.recommended);
  if (answer === undefined) {
    L.push(
      `no recommendation: no candidate meets ${r.constraints.map(describeConstraint).join(', ')} on every scenario (${r.bound === 'upper' ? '95% upper bound' : 'estimate'})`,
    );
    for (const b of r.binding)
      L.push(
        `  binding: ${b.constraint} on ${b.scenario} (best reached ${showJudged(b.constraint, b.best)}, #${b.candidate})`,
      );
    if (r.closest !== undefined)
      for (const m of r.closest.misses)
        L.push(
          `  closest #${r.closest.candidate} misses ${m.constraint} on ${m.scenario}: ${showJudged(m.constraint, m.judged)}`,
        );
  } else {
    L.push(
      `recommended #${answer.id} (on ${answer.base}): shipped-bad ${formatRateInterval(answer.shippedBad)} · blocked-good ${formatRateInterval(answer.blockedGood)} · lead time p90 ${formatMinutes(answer.leadTimeP90)} (search trials)`,
    );
    for (const ev of r.evidence)
      if (ev.active || ev.against !== undefined) L.push(`  ${evidenceSentence(ev, false)}`);
  }
  const v = r.verification;
  if (v !== undefined) {
    L.push(`on fresh trials (seed ${v.seed}, ${v.trials} per scenario):`);
    const w = Math.max(...v.pooled.map((p) => p.policy.length), 6);
    L.push(
      `  ${'policy'.padEnd(w)}  ${'shipped-bad'.padEnd(22)}  ${'blocked-good'.padEnd(22)}  ${'lead p90'.padEnd(8)}  dominated  worse on`,
    );
    v.pooled.forEach((p, i) => {
      const vs = i === 0 ? undefined : v.versus[i - 1]!;
      L.push(
        `  ${p.policy.padEnd(w)}  ${formatRateInterval(p.shippedBad).padEnd(22)}  ${formatRateInterval(p.blockedGood).padEnd(22)}  ${formatMinutes(p.leadTimeP90.value).padEnd(8)}  ` +
          `${vs === undefined ? '–' : vs.dominates ? 'yes' : 'no'}${''.padEnd(vs === undefined ? 8 : vs.dominates ? 6 : 7)}` +
          `  ${vs === undefined ? '' : vs.worseOn.length === 0 ? '–' : vs.worseOn.join(', ')}`,
      );
    });
    for (const b of v.budgets.filter((x) => x.status === 'fail'))
      L.push(`  misses ${describeConstraint(constraintOfBudget(b.budget))} on ${b.scenario}`);
    L.push(`verdict: ${verdictSentence(v)}`);
    L.push(
      `the same comparison: gatesim compare --seed ${v.seed} --trials ${v.trials} --policies <recommended.yaml> <the given policies> (shards and merges)`,
    );
  }
  L.push(`wrote ${t.files.map(shown).join(', ')}`);
  return L.join('\n') + '\n';
}

function constraintOfBudget(b: { kind: string; max: number }): Constraint {
  switch (b.kind) {
    case 'shipped-bad':
      return { kind: 'max-shipped-bad', limit: b.max };
    case 'blocked-good':
      return { kind: 'max-blocked-good', limit: b.max };
    default:
      return { kind: 'max-lead-time-p90', limit: b.max };
  }
}
