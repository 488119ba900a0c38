/**
 * CloudWatch alarms as CodeDeploy and AppConfig use them: automatic rollback when an alarm
 * goes to ALARM. The file is a JSON (or YAML) list of alarms with CloudWatch's own field names,
 * or the output of `aws cloudwatch describe-alarms` (`{ "MetricAlarms": [...] }`):
 * AlarmName, MetricName (or metric-math Metrics), Statistic or ExtendedStatistic, Period,
 * EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator, TreatMissingData, Unit.
 * Each alarm becomes one threshold check watched through the whole deployment.
 */
import type { Minutes } from '../world/types.js';
import type { ImportContext, MappedMetric } from './context.js';
import { ordinal } from './context.js';
import type { DraftCheck, DraftStage } from './draft.js';
import { durationText, noted } from './draft.js';
import type { Unit, ValueRange } from './metric-map.js';
import type { SourceNode } from './source.js';
import { parseSource } from './source.js';
import type { SourceText } from './types.js';

/** One alarm, read and mapped. */
export interface AlarmPlan {
  node: SourceNode;
  /** Where each field came from (the alarm itself when the field is absent). */
  from: {
    name: SourceNode;
    threshold: SourceNode;
    period: SourceNode;
    datapoints: SourceNode;
    missing: SourceNode;
  };
  name: string;
  mapped: MappedMetric;
  period: Minutes;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissing: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
}

const UNIT_WORDS: Record<string, Unit> = {
  Seconds: 'seconds',
  Milliseconds: 'ms',
  Percent: 'percent',
  Bytes: 'bytes',
  Megabytes: 'mb',
  Count: 'count',
};

/** AWS metrics whose unit the name alone tells (CloudWatch docs for ALB, API Gateway, Lambda). */
const KNOWN_UNITS: Record<string, Unit> = {
  TargetResponseTime: 'seconds',
  Latency: 'ms',
  IntegrationLatency: 'ms',
  Duration: 'ms',
};

const ALARM_FIELDS = [
  'AlarmName',
  'MetricName',
  'Namespace',
  'Metrics',
  'Statistic',
  'ExtendedStatistic',
  'Period',
  'EvaluationPeriods',
  'DatapointsToAlarm',
  'Threshold',
  'ComparisonOperator',
  'TreatMissingData',
  'Unit',
];

const IGNORED: Record<string, string> = {
  AlarmArn: 'identity',
  AlarmDescription: 'text',
  AlarmConfigurationUpdatedTimestamp: 'history',
  ActionsEnabled: 'CodeDeploy and AppConfig read the alarm state, not its actions',
  OKActions: 'notifications',
  AlarmActions: 'notifications',
  InsufficientDataActions: 'notifications',
  StateValue: 'the alarm’s current state',
  StateReason: 'the alarm’s current state',
  StateReasonData: 'the alarm’s current state',
  StateUpdatedTimestamp: 'the alarm’s current state',
  StateTransitionedTimestamp: 'the alarm’s current state',
  Dimensions: 'which resource the metric comes from',
  EvaluateLowSampleCountPercentile: 'percentile sample rules',
  Tags: 'labels',
};

/** A table entry by own key only (`constructor` is no unit). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Reads a field in CloudWatch's PascalCase or the camelCase some tools write. */
function field(node: SourceNode, name: string): SourceNode | undefined {
  return node.getAny(name, name[0]!.toLowerCase() + name.slice(1));
}

/** Reads an alarm file and maps every alarm onto a gatesim metric and threshold. */
export function readAlarms(src: SourceText, ctx: ImportContext): AlarmPlan[] {
  const docs = parseSource(src);
  const doc = docs[0];
  if (doc === undefined) return [];
  const root = doc.root;
  const list = root.isMap()
    ? (field(root, 'MetricAlarms') ??
      root.fail('expected a list of alarms or {"MetricAlarms": [...]}'))
    : root;
  for (const other of ['CompositeAlarms']) {
    const c = root.isMap() ? root.get(other) : undefined;
    if (c !== undefined && c.items().length > 0)
      ctx.gap(c, 'not-modelled', 'composite alarms (rules over other alarms) are not simulated');
  }
  return list.items().flatMap((a) => readAlarm(a, ctx) ?? []);
}

/** One alarm; undefined when `--map NAME=none` drops it. */
function readAlarm(a: SourceNode, ctx: ImportContext): AlarmPlan | undefined {
  const known = [...ALARM_FIELDS, ...ALARM_FIELDS.map((f) => f[0]!.toLowerCase() + f.slice(1))];
  ctx.unread(a, known, { ...IGNORED, dimensions: 'which resource the metric comes from' });
  const nameNode = field(a, 'AlarmName') ?? a.req('AlarmName', 'the alarm name');
  const name = nameNode.str();
  const opNode =
    field(a, 'ComparisonOperator') ??
    a.req('ComparisonOperator', 'GreaterThanThreshold or another comparison');
  const op = opNode.str();
  const thresholdNode = field(a, 'Threshold') ?? a.req('Threshold', 'the alarm threshold');
  const threshold = thresholdNode.num();
  let range: ValueRange;
  switch (op) {
    case 'GreaterThanThreshold':
    case 'GreaterThanOrEqualToThreshold':
      range = { lo: -Infinity, hi: threshold };
      break;
    case 'LessThanThreshold':
    case 'LessThanOrEqualToThreshold':
      range = { lo: threshold, hi: Infinity };
      break;
    case 'LessThanLowerOrGreaterThanUpperThreshold':
    case 'LessThanLowerThreshold':
    case 'GreaterThanUpperThreshold':
      return opNode.fail(
        `${op} compares with an anomaly-detection band, which cannot be simulated; use a static threshold`,
      );
    default:
      return opNode.expected(
        'GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold',
      );
  }

  const metricName = field(a, 'MetricName')?.str();
  const namespace = field(a, 'Namespace')?.str() ?? '';
  const metrics = field(a, 'Metrics');
  const statistic = field(a, 'Statistic')?.str();
  const extended = field(a, 'ExtendedStatistic')?.str();
  const words: string[] = [name, metricName ?? '', namespace, statistic ?? '', extended ?? ''];
  for (const m of metrics?.items() ?? []) {
    const e = field(m, 'Expression')?.value;
    if (typeof e === 'string') words.push(e);
    const inner = field(m, 'MetricStat');
    const mn = inner === undefined ? undefined : field(inner, 'Metric');
    const n = mn === undefined ? undefined : field(mn, 'MetricName')?.value;
    if (typeof n === 'string') words.push(n);
  }
  if (metricName === undefined && metrics === undefined)
    a.fail('missing: expected MetricName or metric-math Metrics');
  const unitNode = field(a, 'Unit');
  const unitWord = unitNode?.str();
  const statedUnit =
    unitWord !== undefined
      ? own(UNIT_WORDS, unitWord)
      : metricName !== undefined
        ? own(KNOWN_UNITS, metricName)
        : undefined;
  const comparison = op.startsWith('Greater') ? 'above' : 'below';
  const mapped = ctx.mapMetric(
    {
      names: [name, ...(metricName !== undefined ? [metricName] : [])],
      text: words.join(' '),
      range,
      ...(statedUnit !== undefined ? { statedUnit } : {}),
    },
    a,
    `alarm ${name}`,
    `${op} ${threshold}: alarms ${comparison} ${threshold}, so values ${comparison === 'above' ? '≤' : '≥'} ${threshold} pass`,
  );
  if (mapped === undefined) return undefined;
  const rateMetric =
    mapped.metric === 'error_rate' ||
    mapped.metric === 'slow_rate' ||
    mapped.metric === 'conversion_rate';
  const explicit = ctx.rules.some((r) => r.name === name || r.name === metricName);
  if (
    rateMetric &&
    metrics === undefined &&
    (statistic === 'Sum' || statistic === 'SampleCount') &&
    !explicit
  ) {
    (field(a, 'Statistic') ?? a).fail(
      `Statistic ${statistic} makes ${threshold} a count of ${metricName ?? 'events'}, but ${mapped.metric} is a rate; alarm on a rate (Average of a 0/1 metric such as API Gateway 5XXError, or metric math errors/requests), or pass --map '${name}=${mapped.metric}:ratio' if the value is already a rate`,
    );
  }

  const periodNode = field(a, 'Period');
  const periodSeconds = periodNode?.int(1) ?? 60;
  const nNode = field(a, 'EvaluationPeriods');
  const n = nNode?.int(1) ?? 1;
  const mNode = field(a, 'DatapointsToAlarm');
  const m = mNode?.int(1, n) ?? n;
  const tmdNode = field(a, 'TreatMissingData');
  const tmd = tmdNode?.str() ?? 'missing';
  if (tmd !== 'missing' && tmd !== 'notBreaching' && tmd !== 'breaching' && tmd !== 'ignore') {
    return tmdNode!.expected('missing, notBreaching, breaching or ignore');
  }
  if (m > 1 && n > m && tmd === 'missing') {
    ctx.gap(
      mNode ?? nNode ?? a,
      'approximated',
      `CloudWatch counts ${m} of the last ${n} datapoints it has, looking further back past missing ones; gatesim counts a missing datapoint as a good one in the window of ${n} (failureLimit ${m - 1}, failureWindow ${n})`,
    );
  }
  return {
    node: a,
    from: {
      name: nameNode,
      threshold: thresholdNode,
      period: periodNode ?? a,
      datapoints: mNode ?? nNode ?? a,
      missing: tmdNode ?? a,
    },
    name,
    mapped,
    period: periodSeconds / 60,
    evaluationPeriods: n,
    datapointsToAlarm: m,
    treatMissing: tmd,
  };
}

const MISSING_NOTES: Record<AlarmPlan['treatMissing'], string> = {
  missing:
    'TreatMissingData missing (the default): missing datapoints never put the alarm in ALARM',
  notBreaching: 'TreatMissingData notBreaching: missing datapoints count as good',
  ignore: 'TreatMissingData ignore: the alarm keeps its state, so missing data never triggers it',
  breaching: 'TreatMissingData breaching: missing datapoints count as breaching',
};

/** Checks for a list of alarms, watched from `where` on (background: until the deployment ends). */
export function alarmChecks(
  plans: readonly AlarmPlan[],
  background: boolean,
  why: string,
): DraftCheck[] {
  return plans.map((p) => {
    const c: DraftCheck = {
      at: p.node,
      about: [`From alarm ${p.name} (${p.node.file}: ${p.node.path}).`],
      name: noted(p.name, 'AlarmName', p.from.name),
      metric: noted(p.mapped.metric, p.mapped.metricNote, p.node),
      judge: noted(p.mapped.judge, p.mapped.judgeNote, p.from.threshold),
      compare: noted('absolute', 'an alarm compares the metric with a fixed threshold'),
      scope: noted(
        'all',
        'a CloudWatch alarm watches the service as a whole (old and new versions together) unless its dimensions pick the new one',
      ),
      interval: noted(
        p.period,
        `Period: ${p.period * 60} s (${durationText(p.period)}): one datapoint per period`,
        p.from.period,
      ),
      window: noted('interval', 'each datapoint covers one period', p.from.period),
      failureLimit: noted(
        p.datapointsToAlarm - 1,
        p.datapointsToAlarm === 1
          ? `DatapointsToAlarm 1 of EvaluationPeriods ${p.evaluationPeriods}: the first breaching datapoint sets ALARM`
          : `DatapointsToAlarm ${p.datapointsToAlarm} of EvaluationPeriods ${p.evaluationPeriods}: ALARM on the ${ordinal(p.datapointsToAlarm)} breaching datapoint among the last ${p.evaluationPeriods}`,
        p.from.datapoints,
      ),
      ...(p.datapointsToAlarm > 1
        ? {
            failureWindow: noted(
              p.evaluationPeriods,
              `EvaluationPeriods ${p.evaluationPeriods}: failures are counted over the last ${p.evaluationPeriods} datapoints`,
              p.from.datapoints,
            ),
          }
        : {}),
      minSample: noted(0, 'an alarm evaluates any datapoint'),
      onMissingData: noted(
        p.treatMissing === 'breaching' ? 'fail' : 'pass',
        MISSING_NOTES[p.treatMissing],
        p.from.missing,
      ),
      dryRun: noted(false, 'the deployment rolls back automatically when the alarm fires'),
      background: noted(background, why),
    };
    return c;
  });
}

/**
 * Puts a service's alarms on the first stage as one background check watched until the
 * deployment ends, and notes when no stage (nor a final bake) waits, since then gatesim never
 * measures them: checks start once a stage is deployed.
 */
export function attachAlarms(
  stages: DraftStage[],
  alarms: readonly AlarmPlan[],
  ctx: ImportContext,
  alarmsFile: SourceText | undefined,
  why: string,
  waitsAfter: boolean,
): void {
  if (alarms.length === 0) return;
  if (!waitsAfter && stages.every((st) => st.bake.value === 0) && alarmsFile !== undefined) {
    ctx.gap(
      { file: alarmsFile.name, path: '' },
      'approximated',
      'the service watches its alarms while it deploys; gatesim starts checks once a stage is deployed, and no stage here waits, so the alarms are never measured',
    );
  }
  stages[0]!.checks = alarmChecks(alarms, true, why);
}
