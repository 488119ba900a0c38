/**
 * Threshold tuning: replay one policy with some of its values varied over ranges, on the same
 * seeded trials, and recommend the setting that does best under a constraint.
 */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { configName, parsePolicy, readConfigFile } from '../config/index.js';
import { GatesimError } from '../errors.js';
import { writeFilesTogether } from '../report/files-together.js';
import { formatRateInterval } from '../report/format.js';
import { formatMinutes } from '../report/index.js';
import type { ScenarioConfig } from '../world/types.js';
import { parseParamSpec, type ParamSpec } from './params.js';
import { renderTuneHtml, renderTuneMarkdown, describeConstraint } from './report.js';
import { search } from './search.js';
import { recommend } from './select.js';
import { PolicyTemplate, showParamValue } from './template.js';
import { DEFAULT_CONSTRAINT, type Bound, type Constraint, type TuneResult } from './types.js';

export type {
  Bound,
  Constraint,
  TuneResult,
  CandidateResult,
  Objectives,
  ScenarioFigures,
  TuneRound,
} from './types.js';
export { DEFAULT_CONSTRAINT } from './types.js';
export { parseParamSpec, type ParamSpec } from './params.js';
export type { TunedParam } from './template.js';
export { renderTuneMarkdown, renderTuneHtml } from './report.js';

export interface TuneOptions {
  /** The policy file; its text is read unless `policyText` is given. */
  policyFile: string;
  policyText?: string;
  scenarios: readonly ScenarioConfig[];
  /** `--param` texts or parsed specs. */
  params: readonly (string | ParamSpec)[];
  constraint?: Constraint;
  bound?: Bound;
  trials: number;
  seed: number;
  workers?: number;
  /** Settings the hypercube tries (and the most a grid may have). */
  budget?: number;
  /** A setting is feasible only when every scenario meets the constraint. */
  perScenario?: boolean;
  onProgress?: (message: string) => void;
}

/**
 * Tunes a policy. Every problem with the parameters (a path that does not exist, a value the
 * field does not accept) is raised before any trial runs.
 * @example await tune({ policyFile: 'policies/fixed-bake.yaml', scenarios, params: ['stages[0].bake=10m..2h:6'], trials: 200, seed: 1 })
 */
export async function tune(o: TuneOptions): Promise<TuneResult> {
  if (o.params.length === 0)
    throw new GatesimError('bad-param', 'give at least one --param PATH=LOW..HIGH to tune');
  if (o.scenarios.length === 0) throw new GatesimError('bad-param', 'give at least one scenario');
  const specs = o.params.map((p) => (typeof p === 'string' ? parseParamSpec(p) : p));
  const text = o.policyText ?? readConfigFile(o.policyFile);
  const template = PolicyTemplate.open(text, o.policyFile, specs, o.scenarios);
  const constraint = o.constraint ?? DEFAULT_CONSTRAINT;
  const bound = o.bound ?? 'upper';
  const policyName = configName(o.policyFile);
  const found = await search({
    template,
    policyName,
    scenarios: o.scenarios,
    seed: o.seed,
    trials: o.trials,
    workers: o.workers ?? 1,
    budget: o.budget,
    constraint,
    bound,
    perScenario: o.perScenario ?? false,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
  });
  const finalists = found.candidates.filter((c) => c.trials === o.trials);
  const best = recommend(finalists, constraint, bound, template.params, o.perScenario ?? false);
  const result: TuneResult = {
    policy: policyName,
    file: o.policyFile,
    seed: o.seed,
    trials: o.trials,
    scenarios: o.scenarios.map((s) => s.name),
    method: found.method,
    params: template.params,
    constraint,
    bound,
    perScenario: o.perScenario ?? false,
    rounds: found.rounds,
    candidates: found.candidates,
    skipped: found.skipped,
    recommended: best?.id,
    tunedYaml: undefined,
    warnings: template.warnings,
  };
  if (best !== undefined) {
    const tuned = tunedHeader(result) + template.render(best.values);
    // The written file must load exactly as the setting that was simulated.
    parsePolicy(tuned, o.policyFile);
    result.tunedYaml = tuned;
  }
  return result;
}

/** The comment block the tuned policy opens with: what changed, on what evidence. */
function tunedHeader(r: TuneResult): string {
  const c = r.recommended === undefined ? undefined : r.candidates[r.recommended];
  if (c === undefined) return '';
  const lines = [
    `# Tuned by \`gatesim tune\` (seed ${r.seed}, ${r.trials} trials on each of: ${r.scenarios.join(', ')}),`,
    `# for ${describeConstraint(r.constraint)} (${r.bound === 'upper' ? 'on the 95% upper bound' : 'on the estimate'}):`,
    ...r.params.map(
      (p, i) =>
        `#   ${p.path}: ${showParamValue(p, p.original)} -> ${showParamValue(p, c.values[i])}`,
    ),
    `# Expected: shipped-bad ${formatRateInterval(c.pooled.shippedBad)}, blocked-good ${formatRateInterval(c.pooled.blockedGood)}, ` +
      `lead time p90 ${formatMinutes(c.leadTimeP90.value)}.`,
    '',
  ];
  return lines.join('\n');
}

/** The files `writeTuneOutputs` writes. */
export interface TuneFiles {
  json: string;
  markdown: string;
  html: string;
  /** Undefined when nothing was recommended. */
  policy: string | undefined;
}

/** The tuned policy's file name: `fixed-bake.yaml` → `fixed-bake.tuned.yaml`. */
export function tunedFileName(policyFile: string): string {
  const ext = extname(policyFile) || '.yaml';
  return `${basename(policyFile, extname(policyFile))}.tuned${ext}`;
}

/** tune.json: the whole result, with numbers as computed (Infinity written as null). */
export function renderTuneJson(r: TuneResult): string {
  return JSON.stringify({ gatesimTune: 1, ...r }, null, 2) + '\n';
}

/**
 * Writes tune.json, report.md, report.html and the tuned policy into `dir`, each to a
 * temporary file first and then renamed, so a reader never sees half a file.
 */
export async function writeTuneOutputs(r: TuneResult, dir: string): Promise<TuneFiles> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const policyName = r.tunedYaml === undefined ? undefined : tunedFileName(r.file);
  const files: [string, string][] = [
    ['tune.json', renderTuneJson(r)],
    ['report.md', renderTuneMarkdown(r, policyName)],
    ['report.html', renderTuneHtml(r, policyName)],
  ];
  if (policyName !== undefined && r.tunedYaml !== undefined) files.push([policyName, r.tunedYaml]);
  await writeFilesTogether(out, files);
  return {
    json: join(out, 'tune.json'),
    markdown: join(out, 'report.md'),
    html: join(out, 'report.html'),
    policy: policyName === undefined ? undefined : join(out, policyName),
  };
}
