import { DEFAULT_TUNE_TRIALS } from './options.js';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { parseBound, parseWhole } from '../check/options.js';
import { constraintsOf } from './constraints.js';
import { GatesimError } from '../errors.js';
import { formatMinutes, formatRateInterval } from '../report/index.js';
import { tune, writeTuneOutputs, type Constraint, type TuneResult } from '../tune/index.js';
import { describeConstraint, describeObjective } from '../tune/report.js';
import { showParamValue } from '../tune/template.js';
import { defaultScenarioPaths, loadInputs } from './inputs.js';

/** Options as commander hands them over: raw strings, checked in the action so bad input exits 2. */
export interface TuneCliOptions {
  policy?: string;
  scenarios?: string[];
  param: string[];
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
  perScenario?: boolean;
}

function constraintOf(o: TuneCliOptions): Constraint | undefined {
  const given = constraintsOf(o);
  if (given.length > 1)
    throw new GatesimError(
      'bad-option',
      'give one constraint: --max-blocked-good, --max-shipped-bad or --max-lead-time-p90',
    );
  return given[0];
}

/** Runs `gatesim tune`; sets exit code 1 when no setting meets the constraint. */
export async function runTuneCommand(o: TuneCliOptions): Promise<TuneResult> {
  if (o.policy === undefined)
    throw new GatesimError('bad-option', '--policy: give the policy file to tune');
  const constraint = constraintOf(o);
  const trials = o.trials === undefined ? DEFAULT_TUNE_TRIALS : parseWhole('--trials', o.trials, 1);
  const seed = o.seed === undefined ? 1 : parseWhole('--seed', o.seed, 0);
  const workers =
    o.workers === undefined ? availableParallelism() : parseWhole('--workers', o.workers, 1);
  const budget = o.budget === undefined ? undefined : parseWhole('--budget', o.budget, 1);
  const bound = parseBound('--bound', o.bound ?? 'upper');
  // Loads the scenarios (unique names) and checks the untouched policy against each fleet.
  const { scenarios } = loadInputs(o.scenarios ?? defaultScenarioPaths(), [o.policy]);
  const say = (s: string): void => {
    if (o.quiet !== true) process.stderr.write(`${s}\n`);
  };
  const result = await tune({
    policyFile: o.policy,
    scenarios,
    params: o.param,
    ...(constraint !== undefined ? { constraint } : {}),
    bound,
    trials,
    seed,
    workers,
    ...(budget !== undefined ? { budget } : {}),
    ...(o.perScenario === true ? { perScenario: true } : {}),
    onProgress: say,
  });
  // Warnings are not progress: --quiet keeps them.
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  const files = await writeTuneOutputs(result, o.out ?? 'reports/tune');
  process.stdout.write(summaryText(result));
  const shown = [files.markdown, files.html, files.json, files.policy]
    .filter((f): f is string => f !== undefined)
    .map((f) => {
      const r = relative(process.cwd(), f);
      return r === '' || r.startsWith('..') ? f : r;
    });
  process.stdout.write(`wrote ${shown.join(', ')}\n`);
  if (result.recommended === undefined) process.exitCode = 1;
  return result;
}

/** Pareto settings printed before the rest are left to the report. */
const MAX_FRONT_LINES = 10;

/** The lines `gatesim tune` prints: the recommendation and the Pareto front. */
export function summaryText(r: TuneResult): string {
  const lines: string[] = [];
  const how =
    r.method === 'grid'
      ? `grid of ${r.candidates.length} settings`
      : `hypercube of ${r.candidates.length} settings, successive halving ${r.rounds
          .map((x) => `${x.candidates}×${x.trials}`)
          .join(' → ')}`;
  lines.push(
    `tune ${r.policy}: ${how}; ${r.trials} trials × ${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'} per setting (seed ${r.seed})`,
  );
  const c = r.recommended === undefined ? undefined : r.candidates[r.recommended]!;
  const rule = `${describeConstraint(r.constraint)}${r.perScenario ? ' on every scenario' : ''} on the ${r.bound === 'upper' ? '95% upper bound' : 'estimate'}, ${describeObjective(r.constraint)}`;
  if (c === undefined) {
    lines.push(`no setting meets ${rule}`);
  } else {
    lines.push(`recommended (${rule}):`);
    r.params.forEach((p, i) =>
      lines.push(
        `  ${p.path}: ${showParamValue(p, p.original)} -> ${showParamValue(p, c.values[i])}`,
      ),
    );
    lines.push(
      `  shipped-bad ${formatRateInterval(c.pooled.shippedBad)} · blocked-good ${formatRateInterval(c.pooled.blockedGood)} · lead time p90 ${formatMinutes(c.leadTimeP90.value)}`,
    );
    lines.push('  by scenario:');
    for (const f of c.scenarioFigures)
      lines.push(
        `    ${f.scenario}: shipped-bad ${formatRateInterval(f.shippedBad)} · blocked-good ${formatRateInterval(f.blockedGood)} · lead time p90 ${formatMinutes(f.leadTimeP90.value)}${f.meets ? '' : '  (misses the constraint here)'}`,
      );
  }
  const front = r.candidates.filter((x) => x.pareto);
  lines.push(
    `Pareto front (${front.length} of ${r.candidates.filter((x) => x.trials === r.trials).length} at full trials):`,
  );
  // The front is ordered as tried; the recommended setting is always among those printed.
  const shown =
    front.length <= MAX_FRONT_LINES
      ? front
      : front
          .filter((x, i) => i < MAX_FRONT_LINES - 2 || x.id === r.recommended)
          .slice(0, MAX_FRONT_LINES - 1);
  for (const x of shown) {
    lines.push(
      `  ${x.label}: shipped-bad ${formatRateInterval(x.pooled.shippedBad)} · blocked-good ${formatRateInterval(x.pooled.blockedGood)} · lead p90 ${formatMinutes(x.leadTimeP90.value)}${x.id === r.recommended ? '  <- recommended' : ''}`,
    );
  }
  if (shown.length < front.length)
    lines.push(`  … and ${front.length - shown.length} more in report.md`);
  return lines.join('\n') + '\n';
}
