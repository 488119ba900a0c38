/**
 * `gatesim import appconfig`: an AWS AppConfig deployment strategy (a predefined name or a
 * strategy JSON) and the CloudWatch alarms that monitor it become a gatesim policy.
 * Linear growth adds the growth factor G% at each step; exponential growth deploys G × 2^N %
 * at step N; steps are spread evenly over the deployment duration (0–1440 min). After 100%,
 * AppConfig keeps watching its alarms for the final bake time (0–1440 min) and rolls back if
 * one fires: that is gatesim's post-deploy watch.
 */
import { GatesimError } from '../errors.js';
import type { Minutes } from '../world/types.js';
import { alarmChecks, attachAlarms, readAlarms } from './cloudwatch-alarms.js';
import { ImportContext } from './context.js';
import type { DraftPolicy, DraftStage, SourceRef } from './draft.js';
import { durationText, noted } from './draft.js';
import { tidy } from './metric-map.js';
import type { ConfigInput } from './names.js';
import { lookupName } from './names.js';
import type { SourceNode } from './source.js';
import { parseSource } from './source.js';
import type { CommonImportOptions, ImportResult, SourceText } from './types.js';

export interface AppConfigImportOptions extends CommonImportOptions {
  /** CloudWatch alarms the AppConfig environment monitors (a JSON list, or describe-alarms output). */
  alarms?: SourceText;
}

interface Strategy {
  /** The strategy file's root, or the predefined name as given. */
  at: SourceRef;
  name: string;
  growthType: 'LINEAR' | 'EXPONENTIAL';
  growthFactor: number;
  duration: Minutes;
  finalBake: Minutes;
  source: string;
}

/** AppConfig's predefined deployment strategies (AWS AppConfig User Guide, "Predefined deployment strategies"). */
export const APPCONFIG_PREDEFINED: Readonly<
  Record<string, Omit<Strategy, 'at' | 'name' | 'source'>>
> = {
  Linear20PercentEvery6Minutes: {
    growthType: 'LINEAR',
    growthFactor: 20,
    duration: 30,
    finalBake: 30,
  },
  Canary10Percent20Minutes: {
    growthType: 'EXPONENTIAL',
    growthFactor: 10,
    duration: 20,
    finalBake: 10,
  },
  AllAtOnce: { growthType: 'LINEAR', growthFactor: 100, duration: 0, finalBake: 10 },
  Linear50PercentEvery30Seconds: {
    growthType: 'LINEAR',
    growthFactor: 50,
    duration: 1,
    finalBake: 1,
  },
};

/** The share of targets after each step: G, 2G, 3G… (linear) or G, 2G, 4G… (exponential), capped at 100%. */
export function appConfigSteps(
  growthType: 'LINEAR' | 'EXPONENTIAL',
  growthFactor: number,
): number[] {
  const out: number[] = [];
  for (let n = 0; out.length === 0 || out[out.length - 1]! < 100; n++) {
    const pct = growthType === 'LINEAR' ? (n + 1) * growthFactor : growthFactor * 2 ** n;
    out.push(Math.min(100, tidy(pct)));
  }
  return out;
}

/** Imports an AppConfig deployment strategy (and alarms) into a gatesim policy. */
export function importAppConfig(
  input: ConfigInput,
  options: AppConfigImportOptions = {},
): ImportResult {
  const ctx = new ImportContext(options);
  const s = input.kind === 'name' ? predefined(input.name) : readStrategy(input.source, ctx);
  const alarms = options.alarms === undefined ? [] : readAlarms(options.alarms, ctx);
  const steps = appConfigSteps(s.growthType, s.growthFactor);
  const interval = s.duration / steps.length;
  const growth =
    s.growthType === 'LINEAR'
      ? `linear ${s.growthFactor}% per step`
      : `exponential ${s.growthFactor}% × 2^N`;
  const stages: DraftStage[] = steps.map((pct, i) => ({
    at: s.at,
    about:
      i === 0
        ? [`${steps.length} steps of ${growth}, spread evenly over ${durationText(s.duration)}.`]
        : [],
    name: noted(`step-${i + 1}`, `step ${i + 1} of ${steps.length}`),
    target: noted(
      { kind: 'fleet', share: pct / 100 },
      `${s.source}: ${growth} → ${pct}% of targets`,
    ),
    bake: noted(
      interval,
      `${s.source}: DeploymentDurationInMinutes ${s.duration} / ${steps.length} steps (AppConfig reaches 100% at the end of the duration)`,
    ),
    approval: noted({ kind: 'automatic' }, 'AppConfig moves to the next step on its own'),
    checks: [],
  }));
  attachAlarms(
    stages,
    alarms,
    ctx,
    options.alarms,
    'AppConfig watches its alarms through the deployment: one check from the first step until 100%',
    s.finalBake > 0,
  );
  if (alarms.length === 0) {
    ctx.warnings.push(
      'no --alarms given: AppConfig rolls back only on alarms, so the policy has no checks',
    );
  }
  const draft: DraftPolicy = {
    at: s.at,
    header: [
      `Imported by \`${options.command ?? 'gatesim import appconfig'}\` from AWS AppConfig deployment strategy ${s.name}${options.alarms !== undefined ? ` with alarms from ${options.alarms.name}` : ''}.`,
      'Models AppConfig’s growth (linear G% per step, or exponential G × 2^N) spread evenly over the',
      'deployment duration, and the final bake after 100% as a post-deploy watch on the same alarms.',
    ],
    description: noted(
      `AppConfig ${s.name}: ${growth} over ${durationText(s.duration)}, final bake ${durationText(s.finalBake)}`,
      'from the strategy',
    ),
    rollback: noted(
      { minutesPerBatch: 1, maxBatchShare: 1 },
      'AppConfig rolls the configuration back on every target at once; targets pick it up at their next poll (AppConfig Agent: every 45 s by default)',
    ),
    onInconclusive: noted('continue', 'an alarm in INSUFFICIENT_DATA does not stop a deployment'),
    stages,
  };
  if (s.finalBake > 0) {
    draft.watch = {
      at: s.at,
      about: [
        'AppConfig’s final bake: alarms watched after 100%; an alarm rolls the deployment back.',
      ],
      duration: noted(s.finalBake, `${s.source}: FinalBakeTimeInMinutes ${s.finalBake}`),
      checks: alarmChecks(alarms, false, 'watched for the whole final bake'),
    };
  }
  return ctx.finish(draft);
}

function predefined(input: string): Strategy {
  const [name, cfg] = lookupName(
    input,
    APPCONFIG_PREDEFINED,
    ['AppConfig.'],
    'AppConfig deployment strategy',
  );
  return {
    ...cfg,
    at: { file: input, path: '' },
    name: `AppConfig.${name}`,
    source: `predefined AppConfig.${name}`,
  };
}

/** Reads a field in the API's PascalCase or a camelCase spelling. */
function field(node: SourceNode, name: string): SourceNode | undefined {
  return node.getAny(name, name[0]!.toLowerCase() + name.slice(1));
}

function readStrategy(src: SourceText, ctx: ImportContext): Strategy {
  const doc = parseSource(src)[0];
  if (doc === undefined) throw new GatesimError('invalid-input', `${src.name}: empty file`);
  // A CloudFormation resource puts the fields in Properties.
  const root = field(doc.root, 'Properties') ?? doc.root;
  const fields = [
    'Name',
    'DeploymentDurationInMinutes',
    'GrowthFactor',
    'GrowthType',
    'FinalBakeTimeInMinutes',
  ];
  ctx.unread(root, [...fields, ...fields.map((f) => f[0]!.toLowerCase() + f.slice(1))], {
    Id: 'identity',
    Description: 'text',
    ReplicateTo: 'where the strategy is stored',
    Tags: 'labels',
    id: 'identity',
    description: 'text',
    replicateTo: 'where the strategy is stored',
    tags: 'labels',
  });
  const name = field(root, 'Name')?.str() ?? src.name;
  const typeNode = field(root, 'GrowthType');
  const type = typeNode?.str() ?? 'LINEAR';
  if (type !== 'LINEAR' && type !== 'EXPONENTIAL')
    return typeNode!.expected('LINEAR or EXPONENTIAL');
  const growthFactor = (
    field(root, 'GrowthFactor') ?? root.req('GrowthFactor', 'a percentage in [1, 100]')
  ).range(1, 100, 'a growth factor in [1, 100]');
  const duration = (
    field(root, 'DeploymentDurationInMinutes') ??
    root.req('DeploymentDurationInMinutes', 'minutes in [0, 1440]')
  ).int(0, 1440);
  const finalBake = field(root, 'FinalBakeTimeInMinutes')?.int(0, 1440) ?? 0;
  return { at: root, name, growthType: type, growthFactor, duration, finalBake, source: src.name };
}
