import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { parseBound, parseMinutes, parseRate, parseWhole } from '../check/options.js';
import { GatesimError } from '../errors.js';
import { formatMinutes, formatRateInterval } from '../report/index.js';
import { tune, writeTuneOutputs, type Constraint, type TuneResult } from '../tune/index.js';
import { describeConstraint, describeObjective } from '../tune/report.js';
import { showParamValue } from '../tune/template.js';
import { handleErrors } from './errors.js';
import { defaultScenarioPaths, loadInputs } from './inputs.js';

/** Trials per setting and scenario by default. */
export const DEFAULT_TUNE_TRIALS = 200;

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
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Registers `gatesim tune`. */
export function registerTune(program: Command): void {
  program
    .command('tune')
    .description(
      'tune policy values over ranges on the same seeded trials and recommend the best setting under a constraint',
    )
    .option('--policy <file>', 'the policy file to tune')
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in scenarios/)',
    )
    .option(
      '--param <spec>',
      "a value to tune: 'PATH=LOW..HIGH[:STEPS|log]', e.g. 'stages[0].checks[0].judge.max=0.005..0.02:16' (repeatable)",
      collect,
      [],
    )
    .option(
      '--max-blocked-good <rate>',
      'constraint: blocked-good at most this (default 5%); minimises shipped-bad',
    )
    .option(
      '--max-shipped-bad <rate>',
      'constraint: shipped-bad at most this; minimises blocked-good',
    )
    .option(
      '--max-lead-time-p90 <minutes>',
      'constraint: lead time p90 at most this; minimises shipped-bad',
    )
    .option(
      '--bound <which>',
      'judge the constraint on the 95% upper bound or the point estimate: upper | point',
      'upper',
    )
    .option('--trials <n>', `trials per setting and scenario (default ${DEFAULT_TUNE_TRIALS})`)
    .option(
      '--budget <evals>',
      'settings to try with three or more parameters (default 32); caps a grid',
    )
    .option('--seed <n>', 'root seed (default 1)')
    .option('--workers <n>', 'worker threads (results do not depend on it; default: all cores)')
    .option('--out <dir>', 'output folder', 'reports/tune')
    .option('--quiet', 'no progress lines')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(
      handleErrors(async (opts: TuneCliOptions) => {
        await runTuneCommand(opts);
      }),
    );
}

function constraintOf(o: TuneCliOptions): Constraint | undefined {
  const given: Constraint[] = [];
  if (o.maxBlockedGood !== undefined)
    given.push({
      kind: 'max-blocked-good',
      limit: parseRate('--max-blocked-good', o.maxBlockedGood),
    });
  if (o.maxShippedBad !== undefined)
    given.push({ kind: 'max-shipped-bad', limit: parseRate('--max-shipped-bad', o.maxShippedBad) });
  if (o.maxLeadTimeP90 !== undefined)
    given.push({
      kind: 'max-lead-time-p90',
      limit: parseMinutes('--max-lead-time-p90', o.maxLeadTimeP90),
    });
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
    onProgress: say,
  });
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
  const rule = `${describeConstraint(r.constraint)} on the ${r.bound === 'upper' ? '95% upper bound' : 'estimate'}, ${describeObjective(r.constraint)}`;
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
