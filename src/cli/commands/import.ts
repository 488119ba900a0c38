import type { Command } from 'commander';
import type * as ImportCommand from '../import.js';
import type { CommonOpts, ImportIo } from '../import.js';
import {
  DEFAULT_AB_SHARE,
  DEFAULT_APPROVAL_DELAY,
  DEFAULT_CODEDEPLOY_HOSTS,
} from '../../import/types.js';
import { collect } from '../options.js';

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

/** Registers `gatesim import` and its subcommands: argo-rollouts, flagger, codedeploy, appconfig. */
export function registerImport(program: Command, io?: ImportIo): void {
  // Loaded when an import runs, not when the command line is read.
  const run = async (): Promise<{ mod: typeof ImportCommand; io: ImportIo }> => {
    const mod = await import('../import.js');
    return { mod, io: io ?? mod.processIo };
  };
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
  ).action(
    async (rollout: string, templates: string[], opts: CommonOpts & { rollout?: string }) => {
      const r = await run();
      r.mod.runArgoImport(rollout, templates, opts, r.io);
    },
  );

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
    async (
      canary: string,
      templates: string[],
      opts: CommonOpts & { canary?: string; abShare?: string },
    ) => {
      const r = await run();
      r.mod.runFlaggerImport(canary, templates, opts, r.io);
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
  ).action(async (config: string, opts: CommonOpts & { alarms?: string; hosts?: string }) => {
    const r = await run();
    r.mod.runCodeDeployImport(config, opts, r.io);
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
  ).action(async (strategy: string, opts: CommonOpts & { alarms?: string }) => {
    const r = await run();
    r.mod.runAppConfigImport(strategy, opts, r.io);
  });
}
