/**
 * `gatesim import flagger`: a Flagger Canary (and the MetricTemplates it names) becomes a gatesim
 * policy. Semantics follow fluxcd/flagger (pkg/apis/flagger/v1beta1/canary.go,
 * pkg/controller/scheduler.go, scheduler_metrics.go):
 * - every `interval` (default 1m, at least 10 s) Flagger first rolls back if the failed checks
 *   have reached `threshold` (default 1), then runs the checks; an interval in which any check
 *   fails adds one to the failed checks (one counter for the whole analysis, never reset by a
 *   pass) and holds the weight; an interval in which all pass advances the weight by
 *   `stepWeight` (capped at 100) until it reaches `maxWeight` (default 100), or walks the
 *   `stepWeights` list, then promotes. "No values" is a failed check.
 * - `iterations` without `match` is blue/green (the canary gets only test traffic), with
 *   `match` A/B testing (matching users go to the canary); both promote after that many checks.
 * - built-in metrics: request-success-rate (percent of non-5xx) and request-duration (p99 ms);
 *   `thresholdRange {min, max}` bounds them, else the deprecated `threshold`.
 */
import { GatesimError } from '../errors.js';
import type { MetricName, Minutes } from '../world/types.js';
import { ImportContext, ordinal, rangeText } from './context.js';
import type { KnownField } from './context.js';
import type {
  DraftApproval,
  DraftCheck,
  DraftPolicy,
  DraftStage,
  FileDelay,
  Noted,
  SourceRef,
} from './draft.js';
import { durationText, noted } from './draft.js';
import { goDuration } from './durations.js';
import type { Unit, ValueRange } from './metric-map.js';
import { promRange } from './metric-map.js';
import type { SourceDoc, SourceNode } from './source.js';
import { kindOf, parseSource } from './source.js';
import type { CommonImportOptions, ImportResult, SourceText } from './types.js';
import { DEFAULT_AB_SHARE, DEFAULT_APPROVAL_DELAY, TRAFFIC_SWITCH_MINUTES } from './types.js';

export interface FlaggerImportOptions extends CommonImportOptions {
  /** Share of users an A/B test's `match` sends to the canary (Flagger cannot know it; default 0.1). */
  abShare?: number;
  /** Which Canary to import when the files hold several. */
  canary?: string;
}

/** The A/B share used when `--ab-share` is not given. */

const SPEC_FIELDS: Record<string, KnownField> = {
  targetRef: 'the workload being deployed',
  autoscalerRef: 'pod autoscaling',
  ingressRef: 'routing plumbing',
  upstreamRef: 'routing plumbing',
  routeRef: 'routing plumbing',
  service: 'routing plumbing',
  metricsServer: 'where the built-in metrics are queried',
  revertOnDeletion: 'Kubernetes plumbing',
  suspend: 'a suspended Canary does nothing until resumed',
  progressDeadlineSeconds: {
    kind: 'not-modelled',
    why: 'a stuck rollout (pods not ready) is not simulated',
  },
};

const ANALYSIS_FIELDS: Record<string, KnownField> = {
  alerts: 'notifications',
  primaryReadyThreshold: 'pod readiness',
  canaryReadyThreshold: 'pod readiness',
  mirrorWeight: { kind: 'not-modelled', why: 'mirrored traffic is not simulated' },
  sessionAffinity: { kind: 'not-modelled', why: 'sticky sessions to the canary are not simulated' },
  stepWeightPromotion: {
    kind: 'approximated',
    why: 'promotion shifts traffic back to the updated primary in steps; gatesim promotes in one stage (all hosts run the new build either way)',
  },
};

interface Mode {
  kind: 'canary' | 'ab' | 'blue-green';
  iterations: number;
}

/** One Flagger metric, checked every interval. */
interface MetricPlan {
  node: SourceNode;
  nameNode: SourceNode;
  /** The metric's interval (the query window), or the metric when it has none. */
  windowNode: SourceNode;
  name: string;
  metric: MetricName;
  judge: DraftCheck['judge'];
  metricNote: string;
  window: Minutes | undefined;
  windowNote: string;
}

/** Imports a Flagger Canary (and the MetricTemplates it names) into a gatesim policy. */
export function importFlagger(
  files: readonly SourceText[],
  options: FlaggerImportOptions = {},
): ImportResult {
  if (files.length === 0)
    throw new GatesimError(
      'invalid-input',
      'flagger: give the Canary file (and any MetricTemplate files)',
    );
  const ctx = new ImportContext(options);
  const docs = files.flatMap((f) => parseSource(f));
  const canaries: SourceDoc[] = [];
  const templates: SourceDoc[] = [];
  for (const d of docs) {
    const { kind } = kindOf(d);
    if (kind === 'Canary') canaries.push(d);
    else if (kind === 'MetricTemplate') templates.push(d);
    else
      ctx.gap(
        { file: d.file, path: '' },
        'ignored',
        `document of kind ${kind ?? '(none)'} is not part of the gating policy`,
      );
  }
  const canaryDoc = pick(canaries, files, options.canary);
  const canaryName = kindOf(canaryDoc).name ?? '(unnamed)';
  const namespace = canaryDoc.root.get('metadata')?.get('namespace')?.value;
  const spec = canaryDoc.root.req('spec', 'the Canary spec');
  ctx.unread(spec, ['provider', 'analysis', 'canaryAnalysis', 'skipAnalysis'], SPEC_FIELDS);
  const provider = spec.get('provider')?.str();
  const approvalDelay = options.approvalDelay ?? DEFAULT_APPROVAL_DELAY;
  const header = [
    `Imported by \`${options.command ?? 'gatesim import flagger'}\` from Flagger Canary "${canaryName}" (${files.map((f) => f.name).join(', ')}).`,
    'Models Flagger’s analysis loop (fluxcd/flagger: pkg/controller/scheduler.go): the canary pods start once',
    'and each traffic weight (routed, no host redeployed) bakes',
    'one interval and is checked once per interval; an interval with a failed check holds the weight and adds',
    'one to the failed checks, one count for the whole analysis (failedChecksThreshold); the interval after',
    'the count reaches threshold rolls back; "no values" is a failed check (onMissingData: fail).',
  ];
  const analysis = spec.get('analysis') ?? spec.get('canaryAnalysis');
  const skip = spec.get('skipAnalysis')?.bool() ?? false;
  if (analysis === undefined || skip) {
    const where = skip ? spec.req('skipAnalysis') : spec;
    ctx.gap(
      where,
      'approximated',
      skip
        ? 'skipAnalysis: Flagger promotes without checks'
        : 'no analysis: Flagger promotes without checks',
    );
    const draft: DraftPolicy = {
      at: canaryDoc.root,
      header,
      description: noted(
        `Flagger Canary "${canaryName}": promoted without analysis`,
        'from metadata.name; spec.skipAnalysis or no spec.analysis',
      ),
      stages: [promotedStage(where, 'Flagger promotes the canary at once', [])],
    };
    return ctx.finish(draft, { prometheus: true });
  }
  if (spec.get('analysis') === undefined) {
    ctx.gap(
      analysis,
      'ignored',
      'canaryAnalysis is the deprecated name of analysis; read the same way',
    );
  }
  ctx.unread(
    analysis,
    [
      'interval',
      'threshold',
      'maxWeight',
      'stepWeight',
      'stepWeights',
      'iterations',
      'match',
      'mirror',
      'metrics',
      'webhooks',
    ],
    ANALYSIS_FIELDS,
  );

  const intervalNode = analysis.get('interval');
  const rawInterval = intervalNode === undefined ? 1 : goDuration(intervalNode);
  // Flagger: GetAnalysisInterval raises anything under 10 s to 10 s.
  const interval = Math.max(rawInterval, 1 / 6);
  const intervalNote =
    intervalNode === undefined
      ? 'analysis.interval not set: Flagger’s default 1m'
      : `analysis.interval: ${String(intervalNode.value)}${rawInterval < 1 / 6 ? ' (Flagger raises it to 10s)' : ''}`;
  const thresholdNode = analysis.get('threshold');
  const rawThreshold = thresholdNode?.int(0);
  const threshold = rawThreshold !== undefined && rawThreshold > 0 ? rawThreshold : 1;
  const thresholdNote =
    rawThreshold === undefined
      ? 'analysis.threshold not set: Flagger’s default 1 (the interval after the first failed check rolls back)'
      : `analysis.threshold: ${rawThreshold}${rawThreshold === 0 ? ' (0 means Flagger’s default 1)' : ''}: the interval after the ${ordinal(threshold)} failed check rolls back (one count for the whole analysis, one per interval however many metrics fail)`;

  const mode = readMode(analysis, provider, ctx);
  const plans = (analysis.get('metrics')?.items() ?? [])
    .map((m) => planMetric(m, templates, namespace, ctx))
    .filter((p): p is MetricPlan => p !== undefined);

  const countFrom = analysis.get('iterations') ?? analysis;
  const makeChecks = (count: number | undefined, countNote: string): DraftCheck[] =>
    plans.map((p) => {
      const c: DraftCheck = {
        at: p.node,
        about: [`From ${p.node.file}: ${p.node.path} (${p.name}).`],
        name: noted(p.name, 'the metric name', p.nameNode),
        metric: noted(p.metric, p.metricNote, p.node),
        judge: p.judge,
        compare: noted('absolute', 'Flagger judges the canary’s own value against the range'),
        scope: noted('new', 'the canary pods: every host on the new build'),
        interval: noted(
          interval,
          `${intervalNote}: checked once per interval`,
          intervalNode ?? analysis,
        ),
      };
      if (count !== undefined) c.count = noted(count, countNote, countFrom);
      if (p.window !== undefined) c.window = noted(p.window, p.windowNote, p.windowNode);
      c.failedChecksThreshold = noted(threshold, thresholdNote, thresholdNode ?? analysis);
      c.minSample = noted(0, 'Flagger judges any value the query returns: no minimum sample');
      c.onMissingData = noted(
        'fail',
        '"no values found" (no traffic to the canary) is a failed check in Flagger',
      );
      c.dryRun = noted(false, 'Flagger has no dry-run metrics');
      c.background = noted(
        false,
        'checked at each weight; the weight advances only after a passing check',
      );
      return c;
    });

  // Webhooks: confirm-promotion is a person approving the promotion; the rest cannot be simulated.
  let confirmPromotion: SourceNode | undefined;
  for (const hook of analysis.get('webhooks')?.items() ?? []) {
    const type = hook.get('type')?.str() ?? '';
    const name = hook.get('name')?.value;
    const label = `webhook ${typeof name === 'string' ? JSON.stringify(name) : ''} (type ${type === '' ? 'rollout, the default' : type})`;
    switch (type) {
      case 'confirm-promotion':
        confirmPromotion = hook;
        break;
      case 'rollback':
        ctx.gap(
          hook,
          'not-modelled',
          `${label}: a manual rollback trigger (Flagger rolls back while it returns 200); not simulated`,
        );
        break;
      case 'confirm-rollout':
        ctx.gap(hook, 'not-modelled', `${label}: a gate before the analysis starts; not simulated`);
        break;
      case 'confirm-traffic-increase':
        ctx.gap(
          hook,
          'not-modelled',
          `${label}: a gate before each weight increase; not simulated`,
        );
        break;
      case '':
      case 'rollout':
      case 'pre-rollout':
        ctx.gap(
          hook,
          'not-modelled',
          `${label}: an external check (load or acceptance tests) whose failure counts as a failed check; not simulated`,
        );
        break;
      case 'post-rollout':
      case 'event':
        ctx.gap(hook, 'ignored', `${label}: a notification after the fact; no effect on gating`);
        break;
      default:
        ctx.gap(hook, 'not-modelled', `${label}: unknown webhook type`);
    }
  }
  const promotionApproval = (): Noted<DraftApproval> =>
    confirmPromotion === undefined
      ? noted({ kind: 'automatic' }, 'no confirm-promotion webhook: Flagger promotes on its own')
      : manual(confirmPromotion, approvalDelay);

  const stages: DraftStage[] = [];
  let summary: string;
  switch (mode.kind) {
    case 'canary': {
      const weights = canaryWeights(analysis, ctx);
      weights.forEach((w, i) => {
        const last = i === weights.length - 1;
        stages.push({
          at: w.at,
          about: [`Traffic weight ${w.weight}% (${w.note}).`],
          name: noted(`weight-${w.weight}`, 'named after the weight', w.at),
          target: noted(
            { kind: 'traffic', weight: w.weight / 100 },
            i === 0
              ? `${w.weight}% of traffic routed to the canary pods, which start now (the mesh or ingress routes; no host is redeployed)`
              : `${w.weight}% of traffic routed to the canary pods: the weight moves at once`,
            w.at,
          ),
          bake: noted(
            interval,
            `${intervalNote}: one interval at this weight, then a check`,
            intervalNode ?? analysis,
          ),
          approval: last
            ? promotionApproval()
            : noted({ kind: 'automatic' }, 'the weight advances after a passing check'),
          checks: makeChecks(undefined, ''),
        });
      });
      stages.push(
        promotedStage(
          analysis,
          'after the last weight passes, Flagger copies the canary spec to the primary (a rolling update, the canary keeping its weight meanwhile), then routes all traffic to it and scales the canary to zero',
          [],
        ),
      );
      summary = `${weights.map((w) => `${w.weight}%`).join(' → ')} → promoted`;
      break;
    }
    case 'ab': {
      const share = options.abShare ?? DEFAULT_AB_SHARE;
      stages.push({
        at: countFrom,
        about: [`A/B test: ${mode.iterations} checks while matching users go to the canary.`],
        name: noted('ab-test', 'A/B testing (analysis.iterations with analysis.match)'),
        target: noted(
          { kind: 'traffic', weight: share },
          `the users analysis.match routes to the canary pods; their share is not in the Canary (${options.abShare === undefined ? `default ${DEFAULT_AB_SHARE}` : '--ab-share'})`,
        ),
        bake: noted(
          mode.iterations * interval,
          `${mode.iterations} iterations × ${durationText(interval)}`,
        ),
        approval: promotionApproval(),
        checks: makeChecks(mode.iterations, `analysis.iterations: ${mode.iterations}`),
      });
      ctx.gap(
        analysis.req('match'),
        'approximated',
        `the matched users' share is not in the Canary; gatesim sends ${share} of traffic (--ab-share)`,
      );
      stages.push(
        promotedStage(
          analysis,
          'after the iterations pass, Flagger promotes the canary to the primary',
          [],
        ),
      );
      summary = `A/B test (${mode.iterations} checks) → promoted`;
      break;
    }
    case 'blue-green': {
      const k8s = provider === 'kubernetes';
      const tests = k8s ? mode.iterations + 1 : mode.iterations;
      stages.push({
        at: countFrom,
        about: [`Blue/green: ${tests} checks while the canary gets test traffic only.`],
        name: noted('blue-green-test', 'blue/green (analysis.iterations without match)'),
        target: noted(
          { kind: 'staging' },
          'the canary gets only test traffic (load tester), no users: modelled as staging with synthetic load',
        ),
        bake: noted(tests * interval, `${tests} checks × ${durationText(interval)}`),
        approval: promotionApproval(),
        checks: makeChecks(
          tests,
          k8s
            ? `analysis.iterations: ${mode.iterations}, plus the check Flagger runs before promoting`
            : `analysis.iterations: ${mode.iterations}`,
        ),
      });
      if (k8s) {
        stages.push(
          promotedStage(
            analysis,
            'after the iterations pass, Flagger promotes the canary to the primary (kubernetes provider: no traffic switch)',
            [],
          ),
        );
      } else {
        stages.push({
          at: analysis,
          about: [
            'Flagger routes all traffic to the canary for one more interval and check, then promotes.',
          ],
          name: noted('all-traffic', 'blue/green switch'),
          target: noted({ kind: 'fleet', share: 1 }, 'all traffic to the canary before promotion'),
          bake: noted(interval, `${intervalNote}: one interval on all traffic, then a check`),
          approval: noted({ kind: 'automatic' }, 'Flagger promotes after the check passes'),
          checks: makeChecks(1, 'one check on all traffic before promotion'),
        });
      }
      if (analysis.get('mirror')?.bool() === true) {
        ctx.gap(
          analysis.req('mirror'),
          'not-modelled',
          'mirrored production traffic to the canary is not simulated; the canary sees only test load here',
        );
      }
      summary = `blue/green (${tests} checks on test traffic) → ${k8s ? 'promoted' : 'all traffic → promoted'}`;
      break;
    }
    default: {
      const never: never = mode.kind;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
  if (mode.kind === 'canary' && analysis.get('mirror')?.bool() === true) {
    ctx.gap(
      analysis.req('mirror'),
      'not-modelled',
      'the first step mirrors traffic before shifting it; not simulated',
    );
  }

  const draft: DraftPolicy = {
    at: canaryDoc.root,
    header,
    description: noted(
      `Flagger Canary "${canaryName}": ${summary}`,
      'from metadata.name and spec.analysis',
    ),
    rollback: noted(
      { minutesPerBatch: TRAFFIC_SWITCH_MINUTES, maxBatchShare: 1 },
      'Flagger rolls back by routing all traffic to the primary at once (about 10 s: a routing change, not a redeploy)',
    ),
    onInconclusive: noted(
      'abort',
      'Flagger has no inconclusive result: a check that cannot decide is a failed check',
    ),
    stages,
  };
  return ctx.finish(draft, { prometheus: true });
}

function pick(
  canaries: SourceDoc[],
  files: readonly SourceText[],
  wanted: string | undefined,
): SourceDoc {
  const names = canaries.map((d) => kindOf(d).name ?? '(unnamed)');
  if (wanted !== undefined) {
    const c = canaries.find((d) => kindOf(d).name === wanted);
    if (c === undefined) {
      throw new GatesimError(
        'invalid-input',
        `no Canary named "${wanted}" in ${files.map((f) => f.name).join(', ')} (found: ${names.join(', ') || 'none'})`,
      );
    }
    return c;
  }
  if (canaries.length === 0)
    throw new GatesimError(
      'invalid-input',
      `no document with kind: Canary in ${files.map((f) => f.name).join(', ')}`,
    );
  if (canaries.length > 1)
    throw new GatesimError(
      'invalid-input',
      `found ${canaries.length} Canaries (${names.join(', ')}); pick one with --canary NAME`,
    );
  return canaries[0]!;
}

function manual(hook: SourceNode, delay: FileDelay): Noted<DraftApproval> {
  return noted(
    { kind: 'manual', delay },
    `${hook.path}: confirm-promotion webhook halts promotion until it approves; treated as a person approving (the delay is the importer's default)`,
  );
}

function promotedStage(at: SourceRef, why: string, checks: DraftCheck[]): DraftStage {
  return {
    at,
    about: ['Promotion: the primary runs the new build.'],
    name: noted('promoted', 'Flagger’s promotion'),
    target: noted({ kind: 'fleet', share: 1 }, why),
    bake: noted(0, 'Flagger has no analysis after promotion'),
    approval: noted({ kind: 'automatic' }, 'the promotion finishes on its own'),
    checks,
  };
}

function readMode(analysis: SourceNode, provider: string | undefined, ctx: ImportContext): Mode {
  const itNode = analysis.get('iterations');
  let iterations = itNode?.int(0) ?? 0;
  const match = analysis.get('match');
  const hasMatch = match !== undefined && match.items().length > 0;
  if (provider === 'kubernetes') {
    if (hasMatch)
      ctx.gap(
        match,
        'ignored',
        'the kubernetes provider cannot route by match (Flagger drops it): blue/green',
      );
    if (iterations < 1) {
      ctx.gap(
        analysis,
        'approximated',
        'the kubernetes provider cannot shift traffic; Flagger sets iterations to 10',
      );
      iterations = 10;
    }
    return { kind: 'blue-green', iterations };
  }
  if (iterations > 0) return { kind: hasMatch ? 'ab' : 'blue-green', iterations };
  if (hasMatch)
    ctx.gap(match, 'ignored', 'match without iterations: Flagger runs a weighted canary');
  return { kind: 'canary', iterations: 0 };
}

/** The weights Flagger walks (scheduler.go: nextStepWeight, runCanary). */
function canaryWeights(
  analysis: SourceNode,
  ctx: ImportContext,
): { weight: number; note: string; at: SourceRef }[] {
  const stepNode = analysis.get('stepWeight');
  const step = stepNode?.int(0, 100) ?? 0;
  const listNode = analysis.get('stepWeights');
  const maxNode = analysis.get('maxWeight');
  if (step > 0 || listNode === undefined) {
    if (step === 0) {
      return (stepNode ?? analysis).fail(
        'a canary analysis needs stepWeight (or stepWeights), or iterations for blue/green; without them Flagger never advances',
      );
    }
    const rawMax = maxNode?.int(0, 100) ?? 0;
    const max = rawMax > 0 ? rawMax : 100;
    const maxNote =
      maxNode === undefined
        ? 'maxWeight not set: 100'
        : `maxWeight: ${rawMax}${rawMax === 0 ? ' (0 means 100)' : ''}`;
    if (listNode !== undefined)
      ctx.gap(listNode, 'ignored', 'Flagger ignores stepWeights when stepWeight is set');
    const out: { weight: number; note: string; at: SourceRef }[] = [];
    let w = 0;
    do {
      w = Math.min(100, w + step);
      out.push({ weight: w, note: `stepWeight ${step} up to ${maxNote}`, at: stepNode! });
    } while (w < max);
    return out;
  }
  const list = listNode.items().map((n) => ({ n, w: n.int(1, 100) }));
  if (list.length === 0) return listNode.fail('expected at least one weight');
  list.forEach((x, i) => {
    if (i > 0 && x.w <= list[i - 1]!.w)
      x.n.fail(`expected weights that increase, got ${x.w} after ${list[i - 1]!.w}`);
  });
  if (maxNode !== undefined) {
    maxNode.int(0, 100);
    ctx.gap(maxNode, 'ignored', 'with stepWeights, Flagger takes the last weight as the maximum');
  }
  return list.map((x) => ({ weight: x.w, note: `${x.n.path}`, at: x.n }));
}

/** Reads one Flagger metric into what a check needs; undefined when it cannot be checked. */
function planMetric(
  m: SourceNode,
  templates: SourceDoc[],
  namespace: unknown,
  ctx: ImportContext,
): MetricPlan | undefined {
  ctx.unread(m, ['name', 'interval', 'threshold', 'thresholdRange', 'query', 'templateRef'], {
    templateVariables: 'variables for the query text; the heuristic reads the template as written',
  });
  const nameNode = m.req('name', 'a metric name');
  const name = nameNode.str();
  const intervalNode = m.get('interval');
  const window = intervalNode === undefined ? 1 : goDuration(intervalNode);
  const windowNote =
    intervalNode === undefined
      ? 'metric interval not set: Flagger’s default 1m query window'
      : `metric interval: ${String(intervalNode.value)} (the query window)`;
  const builtin = name === 'request-success-rate' || name === 'request-duration';
  const templateRef = m.get('templateRef');
  const query = m.get('query');

  // The bounds: thresholdRange {min, max}, else the deprecated threshold (a minimum for the
  // success rate, a maximum for everything else; default 0).
  const tr = m.get('thresholdRange');
  let range: ValueRange;
  let rangeNote: string;
  if (tr !== undefined) {
    ctx.unread(tr, ['min', 'max']);
    const min = tr.get('min')?.num();
    const max = tr.get('max')?.num();
    if (min !== undefined && max !== undefined && min > max) {
      // Flagger halts when the value is below min or above max: with min above max, every
      // value does one or the other, so every check fails and the canary always rolls back.
      return tr.fail(
        `min ${min} is above max ${max}: every value is outside the range, so every check would fail; expected min ≤ max`,
      );
    }
    if (min === undefined && max === undefined) {
      ctx.gap(
        tr,
        'not-modelled',
        'thresholdRange with neither min nor max never fails; the metric is dropped',
      );
      return undefined;
    }
    range = { lo: min ?? -Infinity, hi: max ?? Infinity };
    rangeNote = `thresholdRange ${rangeText(range)}`;
  } else {
    const t = m.get('threshold')?.num() ?? 0;
    const success = name === 'request-success-rate';
    range = success ? { lo: t, hi: Infinity } : { lo: -Infinity, hi: t };
    rangeNote = `deprecated threshold ${t}${m.get('threshold') === undefined ? ' (not set: 0)' : ''}: ${success ? 'a minimum' : 'a maximum'}`;
  }

  let text = '';
  let known: { metric: MetricName; unit: Unit; how: string } | undefined;
  let templateUsesInterval = false;
  if (builtin) {
    known =
      name === 'request-success-rate'
        ? {
            metric: 'error_rate',
            unit: 'success-percent',
            how: 'Flagger built-in request-success-rate: percent of non-5xx responses',
          }
        : {
            metric: 'latency_p99',
            unit: 'ms',
            how: 'Flagger built-in request-duration: p99 in milliseconds',
          };
    if (templateRef !== undefined)
      ctx.gap(
        templateRef,
        'approximated',
        'Flagger runs the built-in check and the template; gatesim keeps the built-in',
      );
  } else if (templateRef !== undefined) {
    const t = findTemplate(templateRef, templates, namespace);
    const tspec = t.root.req('spec', 'the MetricTemplate spec');
    ctx.unread(tspec, ['query', 'provider']);
    const q = tspec.req('query', 'a query').str();
    const type = tspec.get('provider')?.get('type')?.value;
    text = `${name} ${q} ${typeof type === 'string' ? type : ''}`;
    templateUsesInterval = /\{\{\s*\.?interval\s*\}\}/.test(q);
  } else if (query !== undefined) {
    text = `${name} ${query.str()}`;
  } else {
    ctx.gap(
      m,
      'not-modelled',
      'neither a built-in name, a templateRef nor a query: Flagger runs nothing for it',
    );
    return undefined;
  }
  const mapped = ctx.mapMetric(
    { names: [name], text, range, ...(known !== undefined ? { known } : {}) },
    m,
    `metric ${name}`,
    rangeNote,
  );
  if (mapped === undefined) return undefined;
  const literal = promRange(text);
  const useMetricInterval = builtin || templateUsesInterval;
  return {
    node: m,
    nameNode,
    windowNode: intervalNode ?? m,
    name,
    metric: mapped.metric,
    judge: noted(mapped.judge, mapped.judgeNote, tr ?? m.get('threshold') ?? m),
    metricNote: mapped.metricNote,
    window: useMetricInterval ? window : literal,
    windowNote: useMetricInterval
      ? windowNote
      : `the query's range selector [${literal === undefined ? '' : durationText(literal)}]`,
  };
}

function findTemplate(
  ref: SourceNode,
  templates: SourceDoc[],
  canaryNamespace: unknown,
): SourceDoc {
  const name = ref.req('name', 'the MetricTemplate name').str();
  const ns =
    ref.get('namespace')?.str() ??
    (typeof canaryNamespace === 'string' ? canaryNamespace : undefined);
  const candidates = templates.filter((t) => kindOf(t).name === name);
  const found =
    candidates.find((t) => {
      const tns = t.root.get('metadata')?.get('namespace')?.value;
      return ns === undefined || tns === undefined || tns === ns;
    }) ?? undefined;
  if (found === undefined) {
    return ref.fail(
      `no MetricTemplate named "${name}"${ns !== undefined ? ` in namespace ${ns}` : ''} in the given files; pass its file after the Canary`,
    );
  }
  return found;
}
