/**
 * The policy format: stages, checks, judges, the watch and every default, plus the checks
 * that span fields. Region names are checked against a fleet only when a scenario is given
 * (see cross-checks.ts). The output is a PolicyConfig without `name` and `baseDir`.
 */
import { z } from 'zod';
import type {
  Approval,
  CheckConfig,
  DelayDistribution,
  DeployWindow,
  JudgeSpec,
  PolicyConfig,
  StageConfig,
  TargetConfig,
} from '../policy/types.js';
import { METRIC_NAMES } from '../world/types.js';
import {
  bool,
  checkUnique,
  duration,
  list,
  name,
  nonNegative,
  oneOf,
  positiveUpTo,
  probability,
  share,
  strictObject,
  text,
  weekdays,
  whole,
  windowHour,
} from './fields.js';
import { MAX_DELAY_SIGMA, MIN_INTERVAL_MINUTES } from '../util/limits.js';
import type { RawIssue } from './issues.js';
import { expectMessage, flattenIssues, PARSE_OPTIONS, showValue } from './issues.js';
import { addIssues, kindUnion, pluginSpecField } from './plugin-field.js';
import { isPlainObject } from './plugin-spec.js';
import { checkPolicySchedule } from './schedule.js';
import type { Registries } from './registries.js';
import { lookup } from './registries.js';
import { didYouMean, listNames } from './suggest.js';

/** The values a policy gets for everything it leaves out (documented in docs/formats.md). */
export const POLICY_DEFAULTS = {
  maxBatchShare: 1,
  rollback: { minutesPerBatch: 5, maxBatchShare: 1 },
  onInconclusive: 'pause',
  manualResume: { kind: 'lognormal', medianMinutes: 60, sigma: 1 } satisfies DelayDistribution,
  manualApprovalDelay: {
    kind: 'lognormal',
    medianMinutes: 30,
    sigma: 0.8,
  } satisfies DelayDistribution,
  rollbackDrill: { duration: 30, detectProbability: 0.9 },
  check: {
    compare: 'absolute',
    baselineScope: 'region',
    scope: 'new',
    interval: 1,
    initialDelay: 0,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    minSample: 0,
    onMissingData: 'inconclusive',
    dryRun: false,
    background: false,
    perRegion: false,
  },
} as const;

const C = POLICY_DEFAULTS.check;

/** `{kind: fixed, minutes}`, `{kind: exponential, mean}` or `{kind: lognormal, median, sigma}`. */
function delaySchema() {
  return kindUnion('delay', {
    fixed: strictObject({ kind: z.string(), minutes: duration() }).transform(
      (d): DelayDistribution => ({ kind: 'fixed', minutes: d.minutes }),
    ),
    exponential: strictObject({ kind: z.string(), mean: duration({ positive: true }) }).transform(
      (d): DelayDistribution => ({ kind: 'exponential', meanMinutes: d.mean }),
    ),
    lognormal: strictObject({
      kind: z.string(),
      median: duration({ positive: true }),
      sigma: positiveUpTo(MAX_DELAY_SIGMA),
    }).transform((d): DelayDistribution => ({
      kind: 'lognormal',
      medianMinutes: d.median,
      sigma: d.sigma,
    })),
  });
}

function targetSchema() {
  const regionName = name();
  return kindUnion('target', {
    staging: strictObject({ kind: z.string() }).transform((): TargetConfig => ({
      kind: 'staging',
    })),
    hosts: strictObject({ kind: z.string(), region: regionName, count: whole(1) }).transform(
      (t): TargetConfig => ({ kind: 'hosts', region: t.region, count: t.count }),
    ),
    region: strictObject({
      kind: z.string(),
      region: regionName,
      share: share().default(1),
    }).transform((t): TargetConfig => ({ kind: 'region', region: t.region, share: t.share })),
    regions: strictObject({
      kind: z.string(),
      regions: list(regionName, 'region names').min(1, { error: 'expected at least one region' }),
    }).transform((t): TargetConfig => ({ kind: 'regions', regions: t.regions })),
    fleet: strictObject({ kind: z.string(), share: share() }).transform((t): TargetConfig => ({
      kind: 'fleet',
      share: t.share,
    })),
    traffic: strictObject({ kind: z.string(), weight: share() }).transform((t): TargetConfig => ({
      kind: 'traffic',
      weight: t.weight,
    })),
  });
}

/** `automatic`, `manual`, `{kind: automatic}` or `{kind: manual, delay?}`. */
function approvalSchema() {
  const objects = kindUnion('approval', {
    automatic: strictObject({ kind: z.string() }).transform((): Approval => ({
      kind: 'automatic',
    })),
    manual: strictObject({
      kind: z.string(),
      delay: delaySchema().default(POLICY_DEFAULTS.manualApprovalDelay),
    }).transform((a): Approval => ({ kind: 'manual', delay: a.delay })),
  });
  return z.unknown().transform((v, ctx): Approval => {
    if (v === 'automatic') return { kind: 'automatic' };
    if (v === 'manual') return { kind: 'manual', delay: POLICY_DEFAULTS.manualApprovalDelay };
    if (typeof v === 'string') {
      ctx.addIssue({
        code: 'custom',
        message: `expected \`automatic\`, \`manual\` or a mapping with \`kind\`, got ${showValue(v)}${didYouMean(v, ['automatic', 'manual'])}`,
      });
      return z.NEVER;
    }
    const r = objects.safeParse(v, PARSE_OPTIONS);
    if (!r.success) {
      addIssues(ctx, flattenIssues(r.error.issues));
      return z.NEVER;
    }
    return r.data;
  });
}

function deployWindowSchema() {
  return strictObject({ days: weekdays(), fromHour: windowHour(), toHour: windowHour() })
    .superRefine((w, ctx) => {
      if (w.fromHour >= w.toHour) {
        ctx.addIssue({
          code: 'custom',
          path: ['toHour'],
          message: `expected toHour > fromHour (${w.fromHour}), got ${w.toHour}`,
        });
      }
    })
    .transform((w): DeployWindow => ({ days: w.days, fromHour: w.fromHour, toHour: w.toHour }));
}

/** `interval`, `cumulative` or a lookback duration. */
function windowSchema() {
  const lookback = duration({ positive: true });
  return z.unknown().transform((v, ctx): CheckConfig['window'] => {
    if (v === 'interval' || v === 'cumulative') return v;
    const r = lookback.safeParse(v, PARSE_OPTIONS);
    if (!r.success) {
      const hint = typeof v === 'string' ? didYouMean(v, ['interval', 'cumulative']) : '';
      ctx.addIssue({
        code: 'custom',
        message: `${expectMessage('`interval`, `cumulative` or a lookback duration such as 30m', v)}${hint}`,
      });
      return z.NEVER;
    }
    return r.data;
  });
}

function checkSchema(regs: Registries, where: 'stage' | 'watch') {
  const judge = pluginSpecField(() => ({
    family: 'judge',
    registry: regs.judges,
    ranges: false,
    tryCreate: true,
  }));
  return strictObject({
    name: name(),
    metric: oneOf(METRIC_NAMES),
    judge,
    compare: oneOf(['absolute', 'baseline']).default(C.compare),
    baselineScope: oneOf(['region', 'fleet', 'fresh']).default(C.baselineScope),
    scope: oneOf(['new', 'stage', 'all']).default(C.scope),
    interval: duration({ positive: true, min: MIN_INTERVAL_MINUTES }).default(C.interval),
    initialDelay: duration().default(C.initialDelay),
    count: whole(1).optional(),
    window: windowSchema().optional(),
    failureLimit: whole(-1).default(C.failureLimit),
    failureWindow: whole(1).optional(),
    inconclusiveLimit: whole(-1).default(C.inconclusiveLimit),
    consecutiveErrorLimit: whole(-1).default(C.consecutiveErrorLimit),
    consecutiveSuccessLimit: whole(0).default(C.consecutiveSuccessLimit),
    failedChecksThreshold: whole(1).optional(),
    minSample: nonNegative().default(C.minSample),
    onMissingData: oneOf(['pass', 'fail', 'inconclusive', 'error']).default(C.onMissingData),
    dryRun: bool().default(C.dryRun),
    background: bool().default(C.background),
    perRegion: bool().default(C.perRegion),
  }).transform((c, ctx): CheckConfig => {
    const model = lookup(regs.judges, c.judge.kind);
    const needs = model?.needs.baseline;
    if (where === 'watch') {
      // At 100% every host runs the new build: there is no concurrent control left.
      if (needs === 'required') {
        ctx.addIssue({
          code: 'custom',
          path: ['judge', 'kind'],
          message: `judge \`${c.judge.kind}\` compares against hosts on the old build, and during the watch every host runs the new one; use a judge that needs no baseline`,
        });
      } else if (c.compare === 'baseline') {
        ctx.addIssue({
          code: 'custom',
          path: ['compare'],
          message:
            'the watch runs with every host on the new build, so there is no baseline; use compare: absolute',
        });
      }
      if (c.background) {
        ctx.addIssue({
          code: 'custom',
          path: ['background'],
          message: 'background checks run through later stages; the watch is the last step',
        });
      }
    } else if (c.perRegion) {
      ctx.addIssue({
        code: 'custom',
        path: ['perRegion'],
        message:
          "perRegion splits a watch check by region, where every region runs the new build; a stage's hosts are compared within their regions already: use compare: baseline with baselineScope: region",
      });
    } else if (needs === 'required' && c.compare !== 'baseline') {
      ctx.addIssue({
        code: 'custom',
        path: ['compare'],
        message: `judge \`${c.judge.kind}\` compares against hosts on the old build: expected compare: baseline`,
      });
    }
    if (where === 'stage' && needs === 'none' && c.compare === 'baseline') {
      ctx.addIssue({
        code: 'custom',
        path: ['compare'],
        message: `judge \`${c.judge.kind}\` reads no baseline: expected compare: absolute`,
      });
    }
    if (c.baselineScope === 'fresh' && c.compare !== 'baseline') {
      // A fresh baseline costs hosts: started only for a check that compares with it.
      ctx.addIssue({
        code: 'custom',
        path: ['baselineScope'],
        message:
          'baselineScope: fresh starts a baseline cluster for a check that compares with one: expected compare: baseline, or leave baselineScope out',
      });
    }
    if (c.scope === 'all' && c.compare === 'baseline') {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message:
          'scope: all measures every host whatever its version, so nothing is left to be a baseline; use scope: new or stage, or compare: absolute',
      });
    }
    if (c.failureWindow !== undefined) {
      if (c.failedChecksThreshold !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['failureWindow'],
          message:
            "failureWindow counts failureLimit over the last measurements; Flagger's failedChecksThreshold counts over the whole rollout: give one of them",
        });
      } else if (c.failureLimit < 0 || c.failureLimit >= c.failureWindow) {
        ctx.addIssue({
          code: 'custom',
          path: ['failureWindow'],
          message: `with failureWindow ${c.failureWindow}, expected failureLimit from 0 to ${c.failureWindow - 1} (more failures than that cannot fit in the window), got ${c.failureLimit}`,
        });
      }
    }
    const judgeSpec: JudgeSpec = { kind: c.judge.kind, params: c.judge.parsed };
    return {
      name: c.name,
      metric: c.metric,
      judge: judgeSpec,
      compare: c.compare,
      baselineScope: c.baselineScope,
      scope: c.scope,
      interval: c.interval,
      initialDelay: c.initialDelay,
      count: c.count,
      // A check that names no window gets the one its judge is written for.
      window: c.window ?? model?.defaultWindow ?? 'interval',
      failureLimit: c.failureLimit,
      ...(c.failureWindow !== undefined ? { failureWindow: c.failureWindow } : {}),
      inconclusiveLimit: c.inconclusiveLimit,
      consecutiveErrorLimit: c.consecutiveErrorLimit,
      consecutiveSuccessLimit: c.consecutiveSuccessLimit,
      failedChecksThreshold: c.failedChecksThreshold,
      minSample: c.minSample,
      onMissingData: c.onMissingData,
      dryRun: c.dryRun,
      background: c.background,
      perRegion: c.perRegion,
    };
  });
}

/** `ciTests`: catch probabilities keyed by fault kind (read from the fault registry). */
function ciTestsSchema(regs: Registries) {
  const p = probability();
  return z.unknown().transform((v, ctx): Record<string, number> => {
    if (!isPlainObject(v)) {
      ctx.addIssue({
        code: 'custom',
        message: expectMessage('a mapping from fault kind to catch probability', v),
      });
      return z.NEVER;
    }
    const known = Object.keys(regs.faults).sort();
    const out: Record<string, number> = {};
    const issues: RawIssue[] = [];
    for (const [kind, prob] of Object.entries(v)) {
      if (!Object.hasOwn(regs.faults, kind)) {
        const list =
          known.length === 0 ? 'no fault kinds are registered' : `known kinds: ${listNames(known)}`;
        issues.push({
          path: [kind],
          message: `unknown fault kind ${showValue(kind)}${didYouMean(kind, known)} (${list})`,
        });
        continue;
      }
      const r = p.safeParse(prob, PARSE_OPTIONS);
      if (!r.success) issues.push(...flattenIssues(r.error.issues, [kind]));
      else out[kind] = r.data;
    }
    addIssues(ctx, issues);
    return issues.length > 0 ? z.NEVER : out;
  });
}

function policyShape(regs: Registries) {
  const check = checkSchema(regs, 'stage');
  const stage = strictObject({
    name: name(),
    target: targetSchema(),
    bake: duration().default(0),
    approval: approvalSchema().default({ kind: 'automatic' }),
    deployWindows: list(deployWindowSchema(), 'deploy windows').default([]),
    checks: list(check, 'checks').default([]),
  });
  return strictObject({
    description: text().default(''),
    ciTests: ciTestsSchema(regs).default({}),
    rollbackDrill: strictObject({
      duration: duration({ positive: true }).default(POLICY_DEFAULTS.rollbackDrill.duration),
      detectProbability: probability().default(POLICY_DEFAULTS.rollbackDrill.detectProbability),
    }).optional(),
    maxBatchShare: share().default(POLICY_DEFAULTS.maxBatchShare),
    rollback: strictObject({
      minutesPerBatch: duration({ positive: true }).default(
        POLICY_DEFAULTS.rollback.minutesPerBatch,
      ),
      maxBatchShare: share().default(POLICY_DEFAULTS.rollback.maxBatchShare),
    }).prefault({}),
    onInconclusive: oneOf(['pause', 'abort', 'continue']).default(POLICY_DEFAULTS.onInconclusive),
    manualResume: delaySchema().default(POLICY_DEFAULTS.manualResume),
    stages: list(stage, 'stages').min(1, { error: 'expected at least one stage' }),
    watch: strictObject({
      duration: duration({ positive: true }),
      checks: list(checkSchema(regs, 'watch'), 'checks').default([]),
    }).optional(),
  });
}

type ParsedPolicy = z.output<ReturnType<typeof policyShape>>;

/** Whether a target alone already reaches every production host. */
function coversFleet(t: TargetConfig): boolean {
  return t.kind === 'fleet' && t.share >= 1;
}

function crossCheck(p: ParsedPolicy, ctx: z.RefinementCtx): void {
  checkUnique(p.stages, ctx, (i) => ['stages', i, 'name'], 'stage name');
  addIssues(ctx, checkPolicySchedule(p));
  p.stages.forEach((s, i) =>
    checkUnique(s.checks, ctx, (j) => ['stages', i, 'checks', j, 'name'], 'check name'),
  );
  if (p.watch !== undefined)
    checkUnique(p.watch.checks, ctx, (j) => ['watch', 'checks', j, 'name'], 'check name');

  // Staging comes before production: a build never goes back from production to staging.
  let seenProduction = false;
  let fleetShare = 0;
  let seenHostStage = false;
  let trafficWeight = 0;
  p.stages.forEach((s, i) => {
    if (s.target.kind === 'staging') {
      if (seenProduction) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'target'],
          message: 'a staging stage must come before every production stage',
        });
      }
      return;
    }
    seenProduction = true;
    if (s.target.kind === 'traffic') {
      // Routing shifts traffic to canary pods before the primary's hosts are updated (Flagger
      // promotes by updating the primary after the last weight; Argo's setWeight steps come
      // before the full promotion): a weight after hosts changed build has no meaning here.
      if (seenHostStage) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'target'],
          message:
            'a traffic stage must come before every production stage that deploys hosts: the canary pods take traffic first, then the fleet is updated',
        });
      }
      if (s.target.weight < trafficWeight) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'target', 'weight'],
          message: `expected a weight ≥ ${trafficWeight} (an earlier traffic stage's), got ${s.target.weight}`,
        });
      }
      trafficWeight = Math.max(trafficWeight, s.target.weight);
      refuseFreshBaseline(
        s.checks,
        i,
        ctx,
        'a fresh baseline is started beside hosts a stage deploys; a traffic stage deploys none: use baselineScope: region',
      );
      return;
    }
    seenHostStage = true;
    if (s.target.kind === 'fleet') {
      // Targets are cumulative, so a smaller share later would add no hosts.
      if (s.target.share < fleetShare) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'target', 'share'],
          message: `expected a share ≥ ${fleetShare} (an earlier stage's; targets are cumulative), got ${s.target.share}`,
        });
      }
      fleetShare = Math.max(fleetShare, s.target.share);
    }
  });
  // Whole-region targets leave none of their hosts on the old build. Only what is empty on
  // every fleet is refused here; checkPolicyAgainstScenario counts hosts for the rest.
  const wholeRegions = (t: (typeof p.stages)[number]['target']): boolean =>
    t.kind === 'regions' || (t.kind === 'region' && t.share >= 1);
  const touched = new Set<string>();
  const whole = new Set<string>();
  let touchedUnknown = false;
  p.stages.forEach((s, i) => {
    const t = s.target;
    // Staging compares its own new and old hosts.
    if (t.kind === 'staging') {
      refuseFreshBaseline(
        s.checks,
        i,
        ctx,
        'staging compares its new hosts with its own old ones; a fresh baseline is started in production regions: use baselineScope: region',
      );
      return;
    }
    // Canary pods take a share of every region's traffic; the regions keep all their hosts.
    if (t.kind === 'traffic') return;
    if (t.kind === 'fleet') touchedUnknown = true;
    const named = t.kind === 'regions' ? t.regions : t.kind === 'fleet' ? [] : [t.region];
    for (const r of named) {
      touched.add(r);
      if (wholeRegions(t)) whole.add(r);
    }
    // Every region with new hosts so far is named, and none has old hosts left.
    const onlyWholeSoFar = !touchedUnknown && [...touched].every((r) => whole.has(r));
    s.checks.forEach((c, j) => {
      // A fresh baseline is started beside the stage's hosts, whatever is left of the fleet.
      if (c.compare !== 'baseline' || c.baselineScope === 'fresh') return;
      // Checks start once the stage's hosts are deployed.
      if (t.kind === 'fleet' && t.share >= 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'checks', j, 'compare'],
          message:
            'this stage puts every host on the new build, so no baseline is left; use compare: absolute',
        });
        return;
      }
      // The runtime takes a region baseline from the regions of the measured hosts: this
      // stage's (scope: stage) or every new host's (scope: new).
      const measuredOnlyWhole = c.scope === 'stage' ? wholeRegions(t) : onlyWholeSoFar;
      if (c.baselineScope === 'region' && c.scope !== 'all' && measuredOnlyWhole) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'checks', j, 'baselineScope'],
          message:
            c.scope === 'stage'
              ? 'this stage deploys whole regions, so none of its regions keeps old hosts to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute'
              : 'every region with new hosts so far is deployed whole, so the hosts scope: new measures have no old hosts of their region to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute',
        });
      }
    });
  });

  const last = p.stages.length - 1;
  if (!seenProduction) {
    ctx.addIssue({
      code: 'custom',
      path: ['stages'],
      message: 'expected at least one production stage; the last stage must reach the whole fleet',
    });
  } else if (!p.stages.some((s) => coversFleet(s.target))) {
    // Whole regions can cover the fleet, but only a scenario says which regions there are.
    const wholeRegionTargets = p.stages.some(
      (s) => s.target.kind === 'regions' || (s.target.kind === 'region' && s.target.share >= 1),
    );
    if (!wholeRegionTargets) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages', last, 'target'],
        message:
          'the last stage must reach the whole fleet: end with { kind: fleet, share: 1 } or deploy every region whole',
      });
    }
  }
}

/** Refuses `baselineScope: fresh` on stage i's checks, where no fresh baseline can start. */
function refuseFreshBaseline(
  checks: readonly CheckConfig[],
  i: number,
  ctx: z.RefinementCtx,
  message: string,
): void {
  checks.forEach((c, j) => {
    if (c.compare === 'baseline' && c.baselineScope === 'fresh')
      ctx.addIssue({ code: 'custom', path: ['stages', i, 'checks', j, 'baselineScope'], message });
  });
}

/** The policy without the two fields the file supplies. */
export type PolicyBody = Omit<PolicyConfig, 'name' | 'baseDir'>;

function toBody(p: ParsedPolicy): PolicyBody {
  return {
    description: p.description,
    ciTests: p.ciTests,
    rollbackDrill: p.rollbackDrill,
    maxBatchShare: p.maxBatchShare,
    stages: p.stages.map((s): StageConfig => ({
      name: s.name,
      target: s.target,
      bake: s.bake,
      checks: s.checks,
      approval: s.approval,
      deployWindows: s.deployWindows,
    })),
    watch: p.watch,
    rollback: p.rollback,
    onInconclusive: p.onInconclusive,
    manualResume: p.manualResume,
  };
}

/** The policy schema, reading plugin registries when it parses. */
export function policySchema(regs: Registries) {
  return policyShape(regs).superRefine(crossCheck).transform(toBody);
}
