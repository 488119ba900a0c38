/**
 * `gatesim import <tool> ...`: turns an existing deployment configuration into a gatesim policy.
 * The policy goes to `-o FILE` (written atomically) or stdout; the source fields that could not
 * be modelled go to stderr. Bad input throws GatesimError, which main prints (exit code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileAtomic } from './write-file.js';
import { GatesimError } from '../errors.js';
import type { ConfigInput, FileDelay, ImportResult, SourceText } from '../import/index.js';
import {
  DEFAULT_APPROVAL_DELAY,
  DEFAULT_AB_SHARE,
  DEFAULT_CODEDEPLOY_HOSTS,
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

const processIo: ImportIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

interface CommonOpts {
  output?: string;
  map: string[];
  approvalMedian?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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

function commonOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <file>', 'write the policy here (atomically) instead of stdout')
    .option(
      '--map <NAME=METRIC[:UNIT]>',
      'map a source metric onto a gatesim metric (repeatable); METRIC none drops it; UNIT: ratio, percent, success, success-percent, seconds, ms, bytes, mb, count',
      collect,
      [],
    )
    .option(
      '--approval-median <duration>',
      `median wait for a manual approval (default ${DEFAULT_APPROVAL_DELAY.kind === 'lognormal' ? DEFAULT_APPROVAL_DELAY.median : 30}m; lognormal, sigma 0.8)`,
    );
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

/** Registers `gatesim import` and its subcommands: argo-rollouts, flagger, codedeploy, appconfig. */
export function registerImport(program: Command, io: ImportIo = processIo): void {
  const imp = program
    .command('import')
    .description(
      'turn an existing deployment configuration into a gatesim policy (docs/import.md)',
    );

  commonOptions(
    imp
      .command('argo-rollouts')
      .description('an Argo Rollouts canary Rollout and its (Cluster)AnalysisTemplates')
      .argument(
        '<rollout>',
        'the Rollout YAML (may also hold the templates, as several --- documents)',
      )
      .argument('[templates...]', 'AnalysisTemplate / ClusterAnalysisTemplate YAML files')
      .option('--rollout <name>', 'which Rollout, when the files hold several'),
  ).action((rollout: string, templates: string[], opts: CommonOpts & { rollout?: string }) => {
    const files = [rollout, ...templates].map(readSource);
    const result = importArgoRollouts(files, {
      map: opts.map,
      approvalDelay: approvalDelay(opts),
      command: `gatesim import argo-rollouts ${[rollout, ...templates].join(' ')}`,
      ...(opts.rollout !== undefined ? { rollout: opts.rollout } : {}),
    });
    emit(result, opts, io);
  });

  commonOptions(
    imp
      .command('flagger')
      .description('a Flagger Canary and its MetricTemplates')
      .argument('<canary>', 'the Canary YAML (may also hold MetricTemplates)')
      .argument('[templates...]', 'MetricTemplate YAML files')
      .option('--canary <name>', 'which Canary, when the files hold several')
      .option(
        '--ab-share <share>',
        `share of traffic an A/B match sends to the canary (default ${DEFAULT_AB_SHARE})`,
      ),
  ).action(
    (
      canary: string,
      templates: string[],
      opts: CommonOpts & { canary?: string; abShare?: string },
    ) => {
      const files = [canary, ...templates].map(readSource);
      const result = importFlagger(files, {
        map: opts.map,
        approvalDelay: approvalDelay(opts),
        command: `gatesim import flagger ${[canary, ...templates].join(' ')}`,
        ...(opts.canary !== undefined ? { canary: opts.canary } : {}),
        ...(opts.abShare !== undefined ? { abShare: parseShare(opts.abShare) } : {}),
      });
      emit(result, opts, io);
    },
  );

  commonOptions(
    imp
      .command('codedeploy')
      .description(
        'an AWS CodeDeploy deployment configuration (predefined name or JSON) with CloudWatch alarms',
      )
      .argument(
        '<config>',
        'a predefined name (e.g. CodeDeployDefault.ECSCanary10Percent5Minutes) or a configuration JSON',
      )
      .option(
        '--alarms <file>',
        'CloudWatch alarms: a JSON list, or `aws cloudwatch describe-alarms` output',
      )
      .option(
        '--hosts <n>',
        `hosts in the deployment group, for HOST_COUNT and OneAtATime (default ${DEFAULT_CODEDEPLOY_HOSTS})`,
      ),
  ).action((config: string, opts: CommonOpts & { alarms?: string; hosts?: string }) => {
    const result = importCodeDeploy(configInput(config), {
      map: opts.map,
      approvalDelay: approvalDelay(opts),
      command: `gatesim import codedeploy ${config}`,
      ...(opts.alarms !== undefined ? { alarms: readSource(opts.alarms) } : {}),
      ...(opts.hosts !== undefined ? { hosts: parseHosts(opts.hosts) } : {}),
    });
    emit(result, opts, io);
  });

  commonOptions(
    imp
      .command('appconfig')
      .description(
        'an AWS AppConfig deployment strategy (predefined name or JSON) with CloudWatch alarms',
      )
      .argument(
        '<strategy>',
        'a predefined name (e.g. AppConfig.Canary10Percent20Minutes) or a strategy JSON',
      )
      .option(
        '--alarms <file>',
        'CloudWatch alarms: a JSON list, or `aws cloudwatch describe-alarms` output',
      ),
  ).action((strategy: string, opts: CommonOpts & { alarms?: string }) => {
    const result = importAppConfig(configInput(strategy), {
      map: opts.map,
      approvalDelay: approvalDelay(opts),
      command: `gatesim import appconfig ${strategy}`,
      ...(opts.alarms !== undefined ? { alarms: readSource(opts.alarms) } : {}),
    });
    emit(result, opts, io);
  });
}
