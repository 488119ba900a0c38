import { DEFAULT_CHECK_TRIALS } from './options.js';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ensureFolder, writeFileAtomic } from './write-file.js';
import {
  readBaseline,
  renderBaseline,
  renderCheckTable,
  renderMetricTable,
  renderRegressionTable,
  runCheck,
  type Allowances,
  type BaselineSource,
  type Budget,
  type CheckResult,
} from '../check/index.js';
import {
  parseAllowance,
  parseBound,
  parseMargin,
  parseMinutes,
  parseRate,
  parseWhole,
} from '../check/options.js';
import { renderCheckMarkdown, whyLines } from '../check/render.js';
import { loadPolicy } from '../config/index.js';
import { GatesimError } from '../errors.js';
import { formatPp } from '../report/format.js';
import { renderHtmlReport } from '../report/index.js';
import { defaultScenarioPaths, loadInputs, replayFiles, withReplayFiles } from './inputs.js';

/** Options as commander hands them over: raw strings, checked in the action so bad input exits 2. */
export interface CheckCliOptions {
  policy?: string;
  scenarios?: string[];
  maxShippedBad?: string;
  maxBlockedGood?: string;
  maxTtdP90?: string;
  maxLeadTimeP90?: string;
  baseline?: string;
  baselinePolicy?: string;
  saveBaseline?: string;
  trials?: string;
  seed?: string;
  bound?: string;
  workers?: string;
  quiet?: boolean;
  margin?: string;
  allowTtdWorse?: string;
  allowLeadTimeWorse?: string;
  allowImpactWorse?: string;
  out?: string;
}

function budgetsOf(o: CheckCliOptions): Budget[] {
  const out: Budget[] = [];
  if (o.maxShippedBad !== undefined)
    out.push({ kind: 'shipped-bad', max: parseRate('--max-shipped-bad', o.maxShippedBad) });
  if (o.maxBlockedGood !== undefined)
    out.push({ kind: 'blocked-good', max: parseRate('--max-blocked-good', o.maxBlockedGood) });
  if (o.maxTtdP90 !== undefined)
    out.push({ kind: 'ttd-p90', max: parseMinutes('--max-ttd-p90', o.maxTtdP90) });
  if (o.maxLeadTimeP90 !== undefined)
    out.push({ kind: 'lead-time-p90', max: parseMinutes('--max-lead-time-p90', o.maxLeadTimeP90) });
  return out;
}

function allowancesOf(o: CheckCliOptions): Partial<Allowances> | undefined {
  const a: Partial<Allowances> = {};
  if (o.allowTtdWorse !== undefined)
    a.ttd = parseAllowance('--allow-ttd-worse', o.allowTtdWorse, 'minutes');
  if (o.allowLeadTimeWorse !== undefined)
    a.leadTime = parseAllowance('--allow-lead-time-worse', o.allowLeadTimeWorse, 'minutes');
  if (o.allowImpactWorse !== undefined)
    a.impact = parseAllowance('--allow-impact-worse', o.allowImpactWorse, 'count');
  return Object.keys(a).length > 0 ? a : undefined;
}

/** Runs `gatesim check`, prints the tables and sets the exit code (0 pass, 1 fail). */
export async function runCheckCommand(o: CheckCliOptions): Promise<CheckResult> {
  if (o.policy === undefined)
    throw new GatesimError('bad-option', '--policy: give the policy file to check');
  if (o.baseline !== undefined && o.baselinePolicy !== undefined)
    throw new GatesimError('bad-option', 'give --baseline or --baseline-policy, not both');
  const budgets = budgetsOf(o);
  const margin = o.margin === undefined ? undefined : parseMargin('--margin', o.margin);
  const allowances = allowancesOf(o);
  if (
    (margin !== undefined || allowances !== undefined) &&
    o.baseline === undefined &&
    o.baselinePolicy === undefined
  )
    throw new GatesimError(
      'bad-option',
      '--margin and --allow-*-worse compare with a baseline: give --baseline or --baseline-policy',
    );
  const bound = parseBound('--bound', o.bound ?? 'upper');
  const workers =
    o.workers === undefined ? availableParallelism() : parseWhole('--workers', o.workers, 1);
  let trials = o.trials === undefined ? undefined : parseWhole('--trials', o.trials, 1);
  let seed = o.seed === undefined ? undefined : parseWhole('--seed', o.seed, 0);
  const inputs = loadInputs(o.scenarios ?? defaultScenarioPaths(), [o.policy]);
  const { scenarios, policies } = inputs;
  const files = replayFiles(inputs);
  let baseline: BaselineSource | undefined;
  if (o.baseline !== undefined) {
    const file = await readBaseline(o.baseline);
    trials ??= file.trials;
    seed ??= file.seed;
    baseline = { kind: 'file', file: o.baseline, baseline: file };
  } else if (o.baselinePolicy !== undefined) {
    const policy = loadPolicy(o.baselinePolicy);
    for (const scenario of scenarios) loadPolicy(o.baselinePolicy, { scenario });
    baseline = { kind: 'policy', policy };
    // runCheck names it "<name> (baseline)" when both policies have one name.
    files.policies.set(`${policy.name} (baseline)`, o.baselinePolicy);
    if (!files.policies.has(policy.name)) files.policies.set(policy.name, o.baselinePolicy);
  }
  const result = await runCheck({
    policy: policies[0]!,
    scenarios,
    trials: trials ?? DEFAULT_CHECK_TRIALS,
    seed: seed ?? 1,
    workers,
    budgets,
    bound,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(margin !== undefined ? { margin } : {}),
    ...(allowances !== undefined ? { allowances } : {}),
  }).catch((e: unknown) => {
    throw withReplayFiles(e, files);
  });
  if (o.saveBaseline !== undefined) {
    ensureFolder(dirname(resolve(o.saveBaseline)), 'the baseline');
    writeFileAtomic(o.saveBaseline, renderBaseline(result.asBaseline), 'the baseline');
  }
  if (o.out !== undefined) {
    ensureFolder(o.out, 'the check report');
    writeFileAtomic(resolve(o.out, 'check.md'), renderCheckMarkdown(result), 'the check report');
    writeFileAtomic(
      resolve(o.out, 'report.html'),
      renderHtmlReport(result.study.summary),
      'the HTML report',
    );
  }
  process.stdout.write(o.quiet === true ? verdictLines(result) : checkReport(result));
  process.exitCode = result.passed ? 0 : 1;
  return result;
}

/** Everything `check` prints: the header, the tables and the verdict. */
export function checkReport(r: CheckResult): string {
  const n = r.study.runs.length;
  const parts: string[] = [
    `check ${r.policy}: ${n} scenario${n === 1 ? '' : 's'} × ${r.trials} trials (seed ${r.seed}); ` +
      `budgets judged on the ${r.bound === 'upper' ? '95% upper bound' : 'estimate'}\n`,
  ];
  if (r.rows.length > 0) parts.push('\n' + renderCheckTable(r.rows, r.bound));
  if (r.baselineName !== undefined) {
    parts.push(
      r.margin === undefined
        ? `\npaired with baseline ${r.baselineName} on the same trials (McNemar exact, two-sided, worse at p < 0.05):\n`
        : `\npaired with baseline ${r.baselineName} on the same trials (shipped-bad: non-inferior when the 95% paired interval's upper end ≤ ${formatPp(r.margin)}; blocked-good: McNemar exact, worse at p < 0.05):\n`,
    );
    parts.push(renderRegressionTable(r.regressions));
    parts.push(
      `\ntimes and impact on the trials where both have a value (Wilcoxon signed-rank, two-sided; worse when beyond the allowance at p < 0.05):\n`,
    );
    parts.push(renderMetricTable(r.metrics));
  }
  parts.push('\n' + verdictLines(r));
  return parts.join('');
}

/** The verdict and, on failure, one line per failed check saying why. */
export function verdictLines(r: CheckResult): string {
  const failed = r.rows.filter((x) => x.status === 'fail');
  const worse = r.regressions.filter((x) => x.verdict === 'worse');
  const worseMetrics = r.metrics.filter((x) => x.verdict === 'worse');
  if (r.passed) {
    const what = [
      r.rows.length > 0 ? `every budget met on every scenario (${r.rows.length} checks)` : '',
      r.baselineName !== undefined ? `no significant regression against ${r.baselineName}` : '',
    ].filter((s) => s !== '');
    return `PASS: ${what.join('; ')}\n`;
  }
  const regressions = worse.length + worseMetrics.length;
  const head = [
    failed.length > 0 ? `${failed.length} of ${r.rows.length} budget checks failed` : '',
    regressions > 0
      ? `${regressions} regression${regressions === 1 ? '' : 's'} against ${r.baselineName}`
      : '',
  ].filter((s) => s !== '');
  return [`FAIL: ${head.join('; ')}`, ...whyLines(r).map((l) => `  ${l}`)].join('\n') + '\n';
}
