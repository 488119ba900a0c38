/**
 * `gatesim import <tool> ...`: turns an existing deployment configuration into a gatesim policy.
 * The policy goes to `-o FILE` (written atomically) or stdout; the source fields that could not
 * be modelled go to stderr. Bad input throws GatesimError, which main prints (exit code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './write-file.js';
import { GatesimError } from '../errors.js';
import type { ConfigInput, FileDelay, ImportResult, SourceText } from '../import/index.js';
import {
  DEFAULT_APPROVAL_DELAY,
  formatGap,
  importAppConfig,
  importArgoRollouts,
  importCodeDeploy,
  importFlagger,
} from '../import/index.js';
import { parseDuration } from '../util/duration.js';

/** Where the command writes; tests pass their own. */
export interface ImportIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: ImportIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export interface CommonOpts {
  output?: string;
  map: string[];
  approvalMedian?: string;
}

function readSource(path: string): SourceText {
  try {
    return { name: path, text: readFileSync(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new GatesimError('invalid-input', `${path}: cannot read the file (${code})`);
  }
}

/** A predefined name, or a file when the argument names one (or looks like one). */
function configInput(arg: string): ConfigInput {
  if (existsSync(arg) || /\.(json|ya?ml)$/i.test(arg))
    return { kind: 'file', source: readSource(arg) };
  return { kind: 'name', name: arg };
}

function approvalDelay(opts: CommonOpts): FileDelay {
  if (opts.approvalMedian === undefined) return DEFAULT_APPROVAL_DELAY;
  const median = parseDuration(opts.approvalMedian);
  if (median === undefined || median <= 0) {
    throw new GatesimError(
      'invalid-option',
      `--approval-median: expected a duration such as 30m or 2h, got ${JSON.stringify(opts.approvalMedian)}`,
    );
  }
  return {
    kind: 'lognormal',
    median,
    sigma: DEFAULT_APPROVAL_DELAY.kind === 'lognormal' ? DEFAULT_APPROVAL_DELAY.sigma : 0.8,
  };
}

function countChecks(r: ImportResult): number {
  return (
    r.draft.stages.reduce((n, s) => n + s.checks.length, 0) + (r.draft.watch?.checks.length ?? 0)
  );
}

/** Prints the result: policy to the file or stdout, mappings to stdout, gaps and warnings to stderr. */
function emit(result: ImportResult, opts: CommonOpts, io: ImportIo): void {
  if (opts.output !== undefined) {
    writeFileAtomic(opts.output, result.text, 'the policy');
    const lines = [
      `wrote ${opts.output}: ${result.draft.stages.length} stage(s), ${countChecks(result)} check(s)${result.draft.watch !== undefined ? ', a post-deploy watch' : ''}`,
    ];
    if (result.mappings.length > 0) {
      lines.push('metric mappings:');
      for (const m of result.mappings) lines.push(`  ${m.source} → ${m.metric} (${m.how})`);
    }
    io.stdout(`${lines.join('\n')}\n`);
  } else {
    io.stdout(result.text);
  }
  const err: string[] = [];
  if (result.gaps.length > 0) {
    err.push(`not modelled exactly (${result.gaps.length}):`);
    for (const g of result.gaps) err.push(`  ${formatGap(g)}`);
  }
  for (const w of result.warnings) err.push(`warning: ${w}`);
  if (err.length > 0) io.stderr(`${err.join('\n')}\n`);
}

function parseShare(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new GatesimError(
      'invalid-option',
      `--ab-share: expected a share in (0, 1], got ${JSON.stringify(text)}`,
    );
  return n;
}

function parseHosts(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new GatesimError(
      'invalid-option',
      `--hosts: expected a whole number ≥ 1, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** `gatesim import argo-rollouts ROLLOUT [TEMPLATES...]`. */
export function runArgoImport(
  rollout: string,
  templates: string[],
  opts: CommonOpts & { rollout?: string },
  io: ImportIo,
): void {
  const files = [rollout, ...templates].map(readSource);
  const result = importArgoRollouts(files, {
    map: opts.map,
    approvalDelay: approvalDelay(opts),
    command: `gatesim import argo-rollouts ${[rollout, ...templates].join(' ')}`,
    ...(opts.rollout !== undefined ? { rollout: opts.rollout } : {}),
  });
  emit(result, opts, io);
}

/** `gatesim import flagger CANARY [TEMPLATES...]`. */
export function runFlaggerImport(
  canary: string,
  templates: string[],
  opts: CommonOpts & { canary?: string; abShare?: string },
  io: ImportIo,
): void {
  const files = [canary, ...templates].map(readSource);
  const result = importFlagger(files, {
    map: opts.map,
    approvalDelay: approvalDelay(opts),
    command: `gatesim import flagger ${[canary, ...templates].join(' ')}`,
    ...(opts.canary !== undefined ? { canary: opts.canary } : {}),
    ...(opts.abShare !== undefined ? { abShare: parseShare(opts.abShare) } : {}),
  });
  emit(result, opts, io);
}

/** `gatesim import codedeploy NAME|CONFIG.json`. */
export function runCodeDeployImport(
  config: string,
  opts: CommonOpts & { alarms?: string; hosts?: string },
  io: ImportIo,
): void {
  const result = importCodeDeploy(configInput(config), {
    map: opts.map,
    approvalDelay: approvalDelay(opts),
    command: `gatesim import codedeploy ${config}`,
    ...(opts.alarms !== undefined ? { alarms: readSource(opts.alarms) } : {}),
    ...(opts.hosts !== undefined ? { hosts: parseHosts(opts.hosts) } : {}),
  });
  emit(result, opts, io);
}

/** `gatesim import appconfig NAME|STRATEGY.json`. */
export function runAppConfigImport(
  strategy: string,
  opts: CommonOpts & { alarms?: string },
  io: ImportIo,
): void {
  const result = importAppConfig(configInput(strategy), {
    map: opts.map,
    approvalDelay: approvalDelay(opts),
    command: `gatesim import appconfig ${strategy}`,
    ...(opts.alarms !== undefined ? { alarms: readSource(opts.alarms) } : {}),
  });
  emit(result, opts, io);
}
