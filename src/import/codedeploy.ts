/**
 * `gatesim import codedeploy`: an AWS CodeDeploy deployment configuration (a predefined name
 * or a configuration JSON) and the CloudWatch alarms on the deployment group become a gatesim
 * policy. Canary = two increments (the canary share, then the rest after the interval); linear
 * = equal increments at equal intervals; EC2/on-premises in-place deployments keep
 * `minimumHealthyHosts` in service, so at most the rest deploy at once. A deployment rolls
 * back automatically when an alarm goes to ALARM (or the deployment fails).
 */
import { GatesimError } from '../errors.js';
import type { Minutes } from '../world/types.js';
import { attachAlarms, readAlarms } from './cloudwatch-alarms.js';
import { ImportContext } from './context.js';
import type { DraftCheck, DraftPolicy, DraftStage, Noted, SourceRef } from './draft.js';
import { durationText, noted } from './draft.js';
import type { ConfigInput } from './names.js';
import { lookupName } from './names.js';
import type { SourceNode } from './source.js';
import { parseSource } from './source.js';
import type { CommonImportOptions, ImportResult, SourceText } from './types.js';
import { DEFAULT_CODEDEPLOY_HOSTS, TRAFFIC_SWITCH_MINUTES } from './types.js';

export interface CodeDeployImportOptions extends CommonImportOptions {
  /** CloudWatch alarms on the deployment group (a JSON list, or describe-alarms output). */
  alarms?: SourceText;
  /** Hosts in the deployment group, for HOST_COUNT and OneAtATime (default 100). */
  hosts?: number;
}

type Routing =
  | { kind: 'canary'; percent: number; interval: Minutes }
  | { kind: 'linear'; percent: number; interval: Minutes }
  | { kind: 'all-at-once' };

type MinHealthy =
  | { kind: 'host-count'; value: number }
  | { kind: 'fleet-percent'; value: number }
  /** OneAtATime: every host but one stays in service. */
  | { kind: 'one-at-a-time' };

type Platform = 'ECS' | 'Lambda' | 'Server';

interface CodeDeployConfig {
  /** The configuration file's root, or the predefined name as given. */
  at: SourceRef;
  name: string;
  platform: Platform;
  routing: Routing | undefined;
  minHealthy: MinHealthy | undefined;
  /** Where the numbers came from, for comments. */
  source: string;
}

/** The default fleet size when a host count matters and `--hosts` is not given. */

const canary = (
  platform: Platform,
  percent: number,
  interval: number,
): Omit<CodeDeployConfig, 'at' | 'name' | 'source'> => ({
  platform,
  routing: { kind: 'canary', percent, interval },
  minHealthy: undefined,
});
const linear = (
  platform: Platform,
  percent: number,
  interval: number,
): Omit<CodeDeployConfig, 'at' | 'name' | 'source'> => ({
  platform,
  routing: { kind: 'linear', percent, interval },
  minHealthy: undefined,
});
const allAtOnce = (platform: Platform): Omit<CodeDeployConfig, 'at' | 'name' | 'source'> => ({
  platform,
  routing: { kind: 'all-at-once' },
  minHealthy: undefined,
});

/** CodeDeploy's predefined deployment configurations (AWS CodeDeploy User Guide, "Deployment configurations"). */
export const CODEDEPLOY_PREDEFINED: Readonly<
  Record<string, Omit<CodeDeployConfig, 'at' | 'name' | 'source'>>
> = {
  ECSCanary10Percent5Minutes: canary('ECS', 10, 5),
  ECSCanary10Percent15Minutes: canary('ECS', 10, 15),
  ECSLinear10PercentEvery1Minutes: linear('ECS', 10, 1),
  ECSLinear10PercentEvery3Minutes: linear('ECS', 10, 3),
  ECSAllAtOnce: allAtOnce('ECS'),
  LambdaCanary10Percent5Minutes: canary('Lambda', 10, 5),
  LambdaCanary10Percent10Minutes: canary('Lambda', 10, 10),
  LambdaCanary10Percent15Minutes: canary('Lambda', 10, 15),
  LambdaCanary10Percent30Minutes: canary('Lambda', 10, 30),
  LambdaLinear10PercentEvery1Minute: linear('Lambda', 10, 1),
  LambdaLinear10PercentEvery2Minutes: linear('Lambda', 10, 2),
  LambdaLinear10PercentEvery3Minutes: linear('Lambda', 10, 3),
  LambdaLinear10PercentEvery10Minutes: linear('Lambda', 10, 10),
  LambdaAllAtOnce: allAtOnce('Lambda'),
  AllAtOnce: {
    platform: 'Server',
    routing: undefined,
    minHealthy: { kind: 'host-count', value: 0 },
  },
  HalfAtATime: {
    platform: 'Server',
    routing: undefined,
    minHealthy: { kind: 'fleet-percent', value: 50 },
  },
  OneAtATime: { platform: 'Server', routing: undefined, minHealthy: { kind: 'one-at-a-time' } },
};

/** Imports a CodeDeploy deployment configuration (and alarms) into a gatesim policy. */
export function importCodeDeploy(
  input: ConfigInput,
  options: CodeDeployImportOptions = {},
): ImportResult {
  const ctx = new ImportContext(options);
  const config = input.kind === 'name' ? predefined(input.name) : readConfig(input.source, ctx);
  const alarms = options.alarms === undefined ? [] : readAlarms(options.alarms, ctx);
  const hosts = options.hosts ?? DEFAULT_CODEDEPLOY_HOSTS;
  if (!Number.isInteger(hosts) || hosts < 1)
    throw new GatesimError('invalid-option', `--hosts: expected a whole number ≥ 1, got ${hosts}`);

  const stages: DraftStage[] = [];
  const routing =
    config.routing ?? (config.platform === 'Server' ? undefined : { kind: 'all-at-once' as const });
  let summary: string;
  if (routing !== undefined) {
    switch (routing.kind) {
      case 'canary':
        stages.push(
          stage(
            config.at,
            `canary-${routing.percent}pct`,
            routing.percent / 100,
            `${config.source}: canary ${routing.percent}% of traffic`,
            routing.interval,
            `${config.source}: wait ${routing.interval} min before shifting the rest`,
          ),
          stage(
            config.at,
            'full',
            1,
            `${config.source}: the remaining traffic after the canary interval`,
            0,
            'CodeDeploy finishes once all traffic has shifted',
          ),
        );
        summary = `canary ${routing.percent}% for ${durationText(routing.interval)}, then 100%`;
        break;
      case 'linear': {
        const steps = Math.ceil(100 / routing.percent - 1e-9);
        for (let k = 1; k <= steps; k++) {
          const pct = Math.min(100, k * routing.percent);
          const last = k === steps;
          stages.push(
            stage(
              config.at,
              `linear-${Math.round(pct * 100) / 100}pct`,
              pct / 100,
              `${config.source}: increment ${k} of ${steps} (${routing.percent}% each)`,
              last ? 0 : routing.interval,
              last
                ? 'CodeDeploy finishes once all traffic has shifted'
                : `${config.source}: ${routing.interval} min between increments`,
            ),
          );
        }
        summary = `linear ${routing.percent}% every ${durationText(routing.interval)}`;
        break;
      }
      case 'all-at-once':
        stages.push(
          stage(
            config.at,
            'all',
            1,
            `${config.source}: all traffic at once`,
            0,
            'CodeDeploy finishes once all traffic has shifted',
          ),
        );
        summary = 'all at once';
        break;
      default: {
        const never: never = routing;
        throw new Error(`unknown routing ${JSON.stringify(never)}`);
      }
    }
  } else {
    stages.push(
      stage(
        config.at,
        'all',
        1,
        `${config.source}: an in-place deployment to every instance`,
        0,
        'CodeDeploy finishes once every instance is deployed',
      ),
    );
    summary = 'in place';
  }

  attachAlarms(
    stages,
    alarms,
    ctx,
    options.alarms,
    'CodeDeploy watches its alarms for the whole deployment: one check from the first stage until the deployment ends',
    false,
  );
  const draft: DraftPolicy = {
    at: config.at,
    header: [
      `Imported by \`${options.command ?? 'gatesim import codedeploy'}\` from AWS CodeDeploy deployment configuration ${config.name}${options.alarms !== undefined ? ` with alarms from ${options.alarms.name}` : ''}.`,
      'Models CodeDeploy’s traffic shifting (canary: two increments; linear: equal increments at equal',
      'intervals) or in-place batches (minimumHealthyHosts), with automatic rollback when a CloudWatch',
      'alarm goes to ALARM.',
    ],
    description: noted(
      `CodeDeploy ${config.name} (${config.platform}): ${summary}${alarms.length > 0 ? `, rollback on ${alarms.length} alarm(s)` : ', no alarms'}`,
      'from the configuration name and its alarms',
    ),
    stages,
  };
  if (config.platform === 'Server') {
    const batch = batchShare(config, hosts, ctx);
    draft.maxBatchShare = batch;
  } else {
    draft.rollback = noted(
      { minutesPerBatch: TRAFFIC_SWITCH_MINUTES, maxBatchShare: 1 },
      `${config.platform}: a rollback shifts traffic back to the original ${config.platform === 'ECS' ? 'task set' : 'version'} at once (about 10 s: a routing change, not a redeploy)`,
    );
  }
  draft.onInconclusive = noted(
    'continue',
    'an alarm in INSUFFICIENT_DATA does not stop a deployment',
  );
  if (alarms.length === 0) {
    ctx.warnings.push(
      'no --alarms given: CodeDeploy rolls back only on a failed deployment, which gatesim does not model; the policy has no checks',
    );
  }
  return ctx.finish(draft);
}

function stage(
  at: SourceRef,
  name: string,
  share: number,
  shareNote: string,
  bake: Minutes,
  bakeNote: string,
): DraftStage {
  const checks: DraftCheck[] = [];
  return {
    at,
    about: [],
    name: noted(name, 'named after the traffic share'),
    target: noted({ kind: 'fleet', share }, shareNote),
    bake: noted(bake, bakeNote),
    approval: noted({ kind: 'automatic' }, 'CodeDeploy shifts the next increment on its own'),
    checks,
  };
}

function predefined(input: string): CodeDeployConfig {
  const [name, cfg] = lookupName(
    input,
    CODEDEPLOY_PREDEFINED,
    ['CodeDeployDefault.'],
    'CodeDeploy configuration',
  );
  return {
    ...cfg,
    at: { file: input, path: '' },
    name: `CodeDeployDefault.${name}`,
    source: `predefined CodeDeployDefault.${name}`,
  };
}

/** Reads a field spelled camelCase (the API) or PascalCase (CloudFormation). */
function field(node: SourceNode, name: string): SourceNode | undefined {
  return node.getAny(name, name[0]!.toUpperCase() + name.slice(1));
}

function readConfig(src: SourceText, ctx: ImportContext): CodeDeployConfig {
  const doc = parseSource(src)[0];
  if (doc === undefined) throw new GatesimError('invalid-input', `${src.name}: empty file`);
  let root = doc.root;
  // `aws deploy get-deployment-config` wraps the fields; a CloudFormation resource puts them in Properties.
  root = field(root, 'deploymentConfigInfo') ?? field(root, 'properties') ?? root;
  ctx.unread(
    root,
    [
      'deploymentConfigName',
      'DeploymentConfigName',
      'computePlatform',
      'ComputePlatform',
      'trafficRoutingConfig',
      'TrafficRoutingConfig',
      'minimumHealthyHosts',
      'MinimumHealthyHosts',
    ],
    {
      deploymentConfigId: 'identity',
      createTime: 'history',
      zonalConfig: {
        kind: 'not-modelled',
        why: 'zone-by-zone deployment (waves per Availability Zone) is not simulated',
      },
      ZonalConfig: {
        kind: 'not-modelled',
        why: 'zone-by-zone deployment (waves per Availability Zone) is not simulated',
      },
    },
  );
  const name = field(root, 'deploymentConfigName')?.str() ?? src.name;
  const platformNode = field(root, 'computePlatform');
  const platformText = platformNode?.str() ?? 'Server';
  if (platformText !== 'Server' && platformText !== 'ECS' && platformText !== 'Lambda') {
    return platformNode!.expected('Server, ECS or Lambda');
  }
  const platform: Platform = platformText;
  let routing: Routing | undefined;
  const tr = field(root, 'trafficRoutingConfig');
  if (tr !== undefined) {
    ctx.unread(tr, [
      'type',
      'Type',
      'timeBasedCanary',
      'TimeBasedCanary',
      'timeBasedLinear',
      'TimeBasedLinear',
    ]);
    const typeNode =
      field(tr, 'type') ?? tr.req('type', 'TimeBasedCanary, TimeBasedLinear or AllAtOnce');
    const type = typeNode.str();
    switch (type) {
      case 'TimeBasedCanary': {
        const c =
          field(tr, 'timeBasedCanary') ??
          tr.req('timeBasedCanary', 'canaryPercentage and canaryInterval');
        const pct = (
          field(c, 'canaryPercentage') ?? c.req('canaryPercentage', 'a percentage')
        ).range(1, 99, 'a percentage in [1, 99]');
        const interval = (field(c, 'canaryInterval') ?? c.req('canaryInterval', 'minutes')).int(0);
        routing = { kind: 'canary', percent: pct, interval };
        break;
      }
      case 'TimeBasedLinear': {
        const l =
          field(tr, 'timeBasedLinear') ??
          tr.req('timeBasedLinear', 'linearPercentage and linearInterval');
        const pct = (
          field(l, 'linearPercentage') ?? l.req('linearPercentage', 'a percentage')
        ).range(1, 99, 'a percentage in [1, 99]');
        const interval = (field(l, 'linearInterval') ?? l.req('linearInterval', 'minutes')).int(0);
        routing = { kind: 'linear', percent: pct, interval };
        break;
      }
      case 'AllAtOnce':
        routing = { kind: 'all-at-once' };
        break;
      default:
        return typeNode.expected('TimeBasedCanary, TimeBasedLinear or AllAtOnce');
    }
    if (platform === 'Server')
      ctx.gap(
        tr,
        'approximated',
        'traffic routing on the Server platform (blue/green): read as for ECS',
      );
  }
  let minHealthy: MinHealthy | undefined;
  const mh = field(root, 'minimumHealthyHosts');
  if (mh !== undefined) {
    ctx.unread(mh, ['type', 'Type', 'value', 'Value']);
    const typeNode = field(mh, 'type') ?? mh.req('type', 'HOST_COUNT or FLEET_PERCENT');
    const type = typeNode.str();
    const valueNode = field(mh, 'value') ?? mh.req('value', 'a number');
    if (type === 'HOST_COUNT') minHealthy = { kind: 'host-count', value: valueNode.int(0) };
    else if (type === 'FLEET_PERCENT')
      minHealthy = { kind: 'fleet-percent', value: valueNode.int(0, 99) };
    else return typeNode.expected('HOST_COUNT or FLEET_PERCENT');
    if (platform !== 'Server')
      ctx.gap(
        mh,
        'ignored',
        `minimumHealthyHosts applies to in-place Server deployments, not ${platform}`,
      );
  } else if (platform === 'Server' && routing === undefined) {
    return root.fail(
      'missing: a Server configuration needs minimumHealthyHosts or trafficRoutingConfig',
    );
  }
  return { at: root, name, platform, routing, minHealthy, source: `${src.name}` };
}

function batchShare(config: CodeDeployConfig, hosts: number, ctx: ImportContext): Noted<number> {
  const mh = config.minHealthy;
  const where = { file: config.source, path: 'minimumHealthyHosts' };
  if (mh === undefined) return noted(1, 'no minimumHealthyHosts: every host at once');
  const note = (share: number, text: string): Noted<number> =>
    noted(Math.round(share * 1e6) / 1e6, text);
  switch (mh.kind) {
    case 'fleet-percent':
      return note(
        (100 - mh.value) / 100,
        `minimumHealthyHosts FLEET_PERCENT ${mh.value}: at most ${100 - mh.value}% of hosts deploy at once`,
      );
    case 'host-count':
      if (mh.value === 0) return note(1, 'minimumHealthyHosts HOST_COUNT 0: every host at once');
      if (mh.value >= hosts) {
        throw new GatesimError(
          'invalid-input',
          `${config.source}: minimumHealthyHosts HOST_COUNT ${mh.value} leaves no host to deploy in a fleet of ${hosts} (--hosts)`,
        );
      }
      ctx.gap(
        where,
        'approximated',
        `HOST_COUNT is a number of hosts; gatesim uses a share of a ${hosts}-host fleet (--hosts)`,
      );
      return note(
        (hosts - mh.value) / hosts,
        `minimumHealthyHosts HOST_COUNT ${mh.value} of ${hosts} hosts (--hosts): ${hosts - mh.value} at a time`,
      );
    case 'one-at-a-time':
      ctx.gap(
        where,
        'approximated',
        `one host at a time is a share of a ${hosts}-host fleet in gatesim (--hosts)`,
      );
      return note(
        1 / hosts,
        `OneAtATime: one host at a time, 1/${hosts} of a ${hosts}-host fleet (--hosts)`,
      );
    default: {
      const never: never = mh;
      throw new Error(`unknown minimumHealthyHosts ${JSON.stringify(never)}`);
    }
  }
}
