/**
 * The scenario format: what a YAML scenario may say, every default, and the checks that span
 * fields (traffic shares, region names). The output is a ScenarioConfig without `name` and
 * `baseDir`, which come from the file.
 */
import { z } from 'zod';
import type {
  BadBuildTemplate,
  ConfounderSpec,
  FaultSpec,
  ParamRange,
  ScenarioConfig,
  StreamSettings,
  TraceConfig,
} from '../world/types.js';
import {
  bool,
  checkUnique,
  duration,
  hour,
  list,
  name,
  num,
  positiveUpTo,
  probability,
  share,
  strictObject,
  text,
  upTo,
  utcOffset,
  weekdays,
  windowHour,
} from './fields.js';
import type { HourWindow } from '../world/calendar.js';
import type { RawIssue } from './issues.js';
import { expectMessage, flattenIssues, PARSE_OPTIONS } from './issues.js';
import { addIssues, pluginSpecField } from './plugin-field.js';
import { isPlainObject, parsePluginSpec, parseRange } from './plugin-spec.js';
import type { Registries } from './registries.js';
import { didYouMean, listNames } from './suggest.js';
import {
  LIMIT_NOTE,
  MAX_CHECKOUT_VALUE,
  MAX_CONFOUNDERS_PER_DAY,
  MAX_COUNT,
  MAX_CRASHES_PER_HOST_HOUR,
  MAX_DATA_ROWS,
  MAX_FLEET_HOSTS,
  MAX_HORIZON_MINUTES,
  MAX_LATENCY_MS,
  MAX_LATENCY_SIGMA,
  MAX_MEMORY_MB,
  MAX_MULTIPLIER,
  MAX_NOISE_SD,
  MAX_REGION_HOSTS,
  MAX_REQUESTS_PER_MIN,
  MAX_WEIGHT,
  MIN_INTERVAL_MINUTES,
  MIN_SCRAPE_MINUTES,
} from '../util/limits.js';

/** Tolerance on the sum of traffic shares. */
export const SHARE_SUM_TOLERANCE = 1e-6;

/** A recorded series: a CSV of timestamp and value, relative to the scenario file. */
function traceSchema() {
  return strictObject({
    file: z.string({ error: (iss) => expectMessage('a file path', iss.input) }).min(1, {
      error: 'expected a file path',
    }),
    stepMinutes: duration({ positive: true }).optional(),
  });
}

/** The values a scenario gets for everything it leaves out (documented in docs/formats.md). */
export const SCENARIO_DEFAULTS = {
  traffic: {
    peakRequestsPerMin: 60000,
    diurnalAmplitude: 0.35,
    peakHourLocal: 14,
    weekendFactor: 0.7,
  },
  service: {
    errorRate: 0.002,
    latency: { medianMs: 80, sigma: 0.5, sloMs: 500, loadSensitivity: 0.3 },
    memory: { baseMB: 600, limitMB: 2048 },
    connections: { poolSize: 100, holdMs: 50 },
    business: {
      requestsPerSession: 12,
      conversionRate: 0.03,
      conversionAmplitude: 0.1,
      checkoutValue: 60,
    },
    crashesPerHostHour: 0.001,
  },
  noise: {
    hostErrorSd: 0.1,
    intervalErrorSd: 0.1,
    intervalLatencySd: 0.05,
    intervalConversionSd: 0.03,
  },
  staging: { hosts: 2, requestsPerMin: 200, dataRows: 100_000 },
  dataRows: 50_000_000,
  deploy: { minutesPerBatch: 3 },
  schedule: { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, fromHour: 9, toHour: 17 },
  impactBar: { errorRatePp: 0.5, p99Ratio: 1.2, conversionDropPct: 1, resourceExhaustion: true },
  horizon: 1440,
  metricInterval: 1,
  // The Prometheus Operator's default scrape interval (Prometheus CRD `spec.scrapeInterval`,
  // "30s"): how the Prometheus that Argo Rollouts and Flagger query is usually installed.
  scrapeInterval: 0.5,
  // Google SRE book, "Being On-Call": 5 minutes for user-facing services in working hours;
  // nights and weekends are this project's judgement (a person woken or away from a desk).
  // alertAfter: SRE Workbook, "Alerting on SLOs": a fast-burn alert (2% of a 30-day budget in
  // an hour) fires within minutes of a large regression; 15 minutes covers slower burns.
  pages: { alertAfter: 15, response: { working: 5, night: 15, weekend: 30 } },
} as const;

const D = SCENARIO_DEFAULTS;

/**
 * The `stream:` section's defaults (`gatesim stream`; the reasoning for each is in
 * docs/stream.md): about one merged change per engineer and working day for a team of eight,
 * half an hour of desk work to look at a stopped deploy, a 70% chance that one look finds a bad
 * change, and override probability matching the share of recent false alarms.
 */
export const STREAM_DEFAULTS: StreamSettings = {
  changesPerDay: 8,
  triage: 30,
  fixProbability: 0.7,
  emergencyRevert: false,
  maxBatch: undefined,
  fatigue: { max: 1, steepness: 1, memory: 10 },
};

/** The optional `stream:` section (only `gatesim stream` reads it). */
function streamSection() {
  const S = STREAM_DEFAULTS;
  return strictObject({
    changesPerDay: num({ gt: 0, max: 1000, limit: 'max' }).default(S.changesPerDay),
    triage: duration({ positive: true }).default(S.triage),
    fixProbability: probability().default(S.fixProbability),
    emergencyRevert: bool().default(S.emergencyRevert),
    maxBatch: num({ int: true, min: 1, max: MAX_COUNT, limit: 'max' }).optional(),
    fatigue: strictObject({
      max: probability().default(S.fatigue.max),
      steepness: num({ gt: 0, max: 100, limit: 'max' }).default(S.fatigue.steepness),
      memory: num({ int: true, min: 1, max: 1000, limit: 'max' }).default(S.fatigue.memory),
    }).prefault({}),
  });
}

/** A duration, or a range of durations drawn per trial (`{ min: 0, max: 1h }`). */
function durationOrRange() {
  const single = duration();
  return z.unknown().transform((v, ctx): ParamRange => {
    if (isPlainObject(v)) {
      const issues: RawIssue[] = [];
      const range = parseRange(v, [], issues);
      // Both ends are durations like the single value, with its limits.
      if (range !== undefined) {
        for (const end of ['min', 'max'] as const) {
          const r = single.safeParse(range[end], PARSE_OPTIONS);
          if (!r.success) issues.push(...flattenIssues(r.error.issues, [end]));
        }
      }
      addIssues(ctx, issues);
      return issues.length > 0 ? z.NEVER : (range ?? z.NEVER);
    }
    const r = single.safeParse(v, PARSE_OPTIONS);
    if (!r.success) {
      addIssues(ctx, flattenIssues(r.error.issues));
      return z.NEVER;
    }
    return r.data;
  });
}

function faultSpec(regs: Registries) {
  return pluginSpecField(() => ({
    family: 'fault',
    registry: regs.faults,
    ranges: true,
    tryCreate: true,
  })).transform((r): FaultSpec => ({ kind: r.kind, params: r.raw }));
}

/** Keys of a confounder entry that belong to the spec, not to the confounder's params. */
const CONFOUNDER_SPEC_KEYS = ['ratePerDay', 'pinned'];

function confounderSpec(regs: Registries) {
  const head = z.object({
    ratePerDay: upTo(MAX_CONFOUNDERS_PER_DAY).default(0),
    pinned: strictObject({
      probability: probability().default(1),
      at: durationOrRange(),
    }).optional(),
  });
  return z.unknown().transform((v, ctx): ConfounderSpec => {
    const issues: RawIssue[] = [];
    const rest: Record<string, unknown> = {};
    const own: Record<string, unknown> = {};
    if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v))
        (CONFOUNDER_SPEC_KEYS.includes(k) ? own : rest)[k] = x;
    }
    const h = head.safeParse(own, PARSE_OPTIONS);
    if (!h.success) issues.push(...flattenIssues(h.error.issues));
    const spec = parsePluginSpec(
      isPlainObject(v) ? rest : v,
      // Confounder factories need a world (rng, regions), so only their schema is checked here.
      { family: 'confounder', registry: regs.confounders, ranges: true, tryCreate: false },
      issues,
    );
    addIssues(ctx, issues);
    if (!h.success || spec === undefined) return z.NEVER;
    const pinned = h.data.pinned;
    return {
      kind: spec.kind,
      ratePerDay: h.data.ratePerDay,
      pinned: pinned === undefined ? undefined : { probability: pinned.probability, at: pinned.at },
      params: spec.raw,
    };
  });
}

function scenarioShape(regs: Registries) {
  const region = strictObject({
    name: name(),
    trafficShare: share(),
    hosts: num({ int: true, min: 1, max: MAX_REGION_HOSTS, limit: 'max' }),
    utcOffsetHours: utcOffset().default(0),
  });
  const badTemplate = strictObject({
    name: name(),
    weight: positiveUpTo(MAX_WEIGHT).default(1),
    faults: list(faultSpec(regs), 'faults').min(1, { error: 'expected at least one fault' }),
  });
  return strictObject({
    description: text().default(''),
    fleet: strictObject({
      regions: list(region, 'regions').min(1, { error: 'expected at least one region' }),
    }),
    traffic: strictObject({
      peakRequestsPerMin: positiveUpTo(MAX_REQUESTS_PER_MIN).default(D.traffic.peakRequestsPerMin),
      diurnalAmplitude: num({ min: 0, max: 0.5 }).default(D.traffic.diurnalAmplitude),
      peakHourLocal: hour().default(D.traffic.peakHourLocal),
      weekendFactor: positiveUpTo(MAX_MULTIPLIER).default(D.traffic.weekendFactor),
      trace: traceSchema().optional(),
    }).prefault({}),
    service: strictObject({
      errorRate: num({ min: 0, lt: 1 }).default(D.service.errorRate),
      latency: strictObject({
        medianMs: positiveUpTo(MAX_LATENCY_MS).default(D.service.latency.medianMs),
        sigma: positiveUpTo(MAX_LATENCY_SIGMA).default(D.service.latency.sigma),
        sloMs: positiveUpTo(MAX_LATENCY_MS).default(D.service.latency.sloMs),
        loadSensitivity: num({ min: 0, max: 1 }).default(D.service.latency.loadSensitivity),
      }).prefault({}),
      memory: strictObject({
        baseMB: positiveUpTo(MAX_MEMORY_MB).default(D.service.memory.baseMB),
        limitMB: positiveUpTo(MAX_MEMORY_MB).default(D.service.memory.limitMB),
      }).prefault({}),
      connections: strictObject({
        poolSize: num({ int: true, min: 1, max: MAX_COUNT, limit: 'max' }).default(
          D.service.connections.poolSize,
        ),
        holdMs: positiveUpTo(MAX_LATENCY_MS).default(D.service.connections.holdMs),
      }).prefault({}),
      business: strictObject({
        requestsPerSession: upTo(MAX_COUNT, 1).default(D.service.business.requestsPerSession),
        conversionRate: num({ gt: 0, lt: 1 }).default(D.service.business.conversionRate),
        conversionAmplitude: num({ min: 0, lt: 1 }).default(D.service.business.conversionAmplitude),
        checkoutValue: upTo(MAX_CHECKOUT_VALUE).default(D.service.business.checkoutValue),
        trace: traceSchema().optional(),
      }).prefault({}),
      crashesPerHostHour: upTo(MAX_CRASHES_PER_HOST_HOUR).default(D.service.crashesPerHostHour),
    }).prefault({}),
    noise: strictObject({
      hostErrorSd: upTo(MAX_NOISE_SD).default(D.noise.hostErrorSd),
      intervalErrorSd: upTo(MAX_NOISE_SD).default(D.noise.intervalErrorSd),
      intervalLatencySd: upTo(MAX_NOISE_SD).default(D.noise.intervalLatencySd),
      intervalConversionSd: upTo(MAX_NOISE_SD).default(D.noise.intervalConversionSd),
    }).prefault({}),
    staging: strictObject({
      hosts: num({ int: true, min: 1, max: MAX_REGION_HOSTS, limit: 'max' }).default(
        D.staging.hosts,
      ),
      requestsPerMin: positiveUpTo(MAX_REQUESTS_PER_MIN).default(D.staging.requestsPerMin),
      dataRows: upTo(MAX_DATA_ROWS).default(D.staging.dataRows),
    }).prefault({}),
    dataRows: upTo(MAX_DATA_ROWS).default(D.dataRows),
    deploy: strictObject({
      minutesPerBatch: duration({ positive: true }).default(D.deploy.minutesPerBatch),
    }).prefault({}),
    schedule: strictObject({
      days: weekdays().default([...D.schedule.days]),
      fromHour: hour().default(D.schedule.fromHour),
      toHour: hour().default(D.schedule.toHour),
      region: name().optional(),
    }).prefault({}),
    // People's working hours default to the hours builds start in (`schedule`): the team
    // that starts builds is the team that approves and resumes them.
    people: strictObject({
      alwaysAtWork: bool().default(false),
      days: weekdays().optional(),
      fromHour: windowHour().optional(),
      toHour: windowHour().optional(),
      pages: strictObject({
        enabled: bool().default(true),
        alertAfter: duration().default(D.pages.alertAfter),
        response: strictObject({
          working: duration().default(D.pages.response.working),
          night: duration().default(D.pages.response.night),
          weekend: duration().default(D.pages.response.weekend),
        }).prefault({}),
      }).prefault({}),
    }).prefault({}),
    builds: strictObject({
      badShare: probability().default(0),
      bad: list(badTemplate, 'bad build templates').default([]),
      benign: list(faultSpec(regs), 'benign effects').default([]),
    }).prefault({}),
    confounders: list(confounderSpec(regs), 'confounders').default([]),
    impactBar: strictObject({
      // Percentages: a bar above 100 could never be crossed. p99Ratio is only compared.
      errorRatePp: num({ gt: 0, max: 100 }).default(D.impactBar.errorRatePp),
      p99Ratio: num({ gt: 1 }).default(D.impactBar.p99Ratio),
      conversionDropPct: num({ gt: 0, max: 100 }).default(D.impactBar.conversionDropPct),
      resourceExhaustion: bool().default(D.impactBar.resourceExhaustion),
    }).prefault({}),
    horizon: duration({ positive: true, max: MAX_HORIZON_MINUTES }).default(D.horizon),
    metricInterval: duration({ positive: true, min: MIN_INTERVAL_MINUTES }).default(
      D.metricInterval,
    ),
    scrapeInterval: duration({ positive: true, min: MIN_SCRAPE_MINUTES }).default(D.scrapeInterval),
    stream: streamSection().optional(),
  });
}

type ParsedScenario = z.output<ReturnType<typeof scenarioShape>>;

/** Region names a fault or confounder param refers to (`region: x` or `regions: [x, y]`). */
function regionRefs(params: Record<string, unknown>): { path: PropertyKey[]; name: string }[] {
  const out: { path: PropertyKey[]; name: string }[] = [];
  if (typeof params.region === 'string') out.push({ path: ['region'], name: params.region });
  if (Array.isArray(params.regions)) {
    params.regions.forEach((r, i) => {
      if (typeof r === 'string') out.push({ path: ['regions', i], name: r });
    });
  }
  return out;
}

/** Checks that span fields; run only once every field is valid on its own. */
function crossCheck(s: ParsedScenario, ctx: z.RefinementCtx): void {
  const regions = s.fleet.regions;
  const names = regions.map((r) => r.name);
  checkUnique(regions, ctx, (i) => ['fleet', 'regions', i, 'name'], 'region name');
  // A trial keeps a number per host: the fleet as a whole has a ceiling, not only each region.
  const hosts = regions.reduce((a, r) => a + r.hosts, 0);
  if (hosts > MAX_FLEET_HOSTS && regions.every((r) => r.hosts <= MAX_REGION_HOSTS)) {
    ctx.addIssue({
      code: 'custom',
      path: ['fleet', 'regions'],
      message: `expected at most ${MAX_FLEET_HOSTS} hosts in the fleet (${LIMIT_NOTE}), got ${hosts}`,
    });
  }
  // Each occurrence is an object the trial draws and indexes: the sum of rates is what costs.
  const perDay = s.confounders.reduce((a, c) => a + c.ratePerDay, 0);
  if (perDay > MAX_CONFOUNDERS_PER_DAY) {
    ctx.addIssue({
      code: 'custom',
      path: ['confounders'],
      message: `expected at most ${MAX_CONFOUNDERS_PER_DAY} occurrences a day over all confounders (${LIMIT_NOTE}), got ${Number(perDay.toPrecision(12))}`,
    });
  }
  const sum = regions.reduce((a, r) => a + r.trafficShare, 0);
  if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
    ctx.addIssue({
      code: 'custom',
      path: ['fleet', 'regions'],
      message: `expected trafficShare values that sum to 1, got ${Number(sum.toFixed(9))} (${regions
        .map((r) => `${r.name} ${r.trafficShare}`)
        .join(' + ')})`,
    });
  }
  const region = (path: PropertyKey[], n: string): void => {
    if (!names.includes(n)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `unknown region ${JSON.stringify(n)}${didYouMean(n, names)} (fleet regions: ${listNames(names)})`,
      });
    }
  };
  if (s.schedule.region !== undefined) region(['schedule', 'region'], s.schedule.region);
  if (s.schedule.fromHour >= s.schedule.toHour) {
    ctx.addIssue({
      code: 'custom',
      path: ['schedule', 'toHour'],
      message: `expected toHour > fromHour (${s.schedule.fromHour}), got ${s.schedule.toHour}`,
    });
  }
  const people = peopleHours(s.schedule, s.people);
  // Hours inherited from the schedule are checked there, not again here.
  const ownHours = s.people.fromHour !== undefined || s.people.toHour !== undefined;
  if (ownHours && people.fromHour >= people.toHour) {
    ctx.addIssue({
      code: 'custom',
      path: ['people', s.people.toHour !== undefined ? 'toHour' : 'fromHour'],
      message: `expected people's toHour > fromHour (${people.fromHour}), got ${people.toHour}`,
    });
  }
  if (s.service.memory.baseMB >= s.service.memory.limitMB) {
    ctx.addIssue({
      code: 'custom',
      path: ['service', 'memory', 'limitMB'],
      message: `expected limitMB > baseMB (${s.service.memory.baseMB}), got ${s.service.memory.limitMB}`,
    });
  }
  if (s.builds.badShare > 0 && s.builds.bad.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['builds', 'bad'],
      message: `badShare is ${s.builds.badShare} but no bad build templates are listed`,
    });
  }
  checkUnique(s.builds.bad, ctx, (i) => ['builds', 'bad', i, 'name'], 'template name');
  s.builds.bad.forEach((t, i) => {
    // `good` labels good builds in trial outcomes.
    if (t.name === 'good') {
      ctx.addIssue({
        code: 'custom',
        path: ['builds', 'bad', i, 'name'],
        message: '`good` is reserved for good builds; pick another template name',
      });
    }
    t.faults.forEach((f, j) => {
      for (const ref of regionRefs(f.params))
        region(['builds', 'bad', i, 'faults', j, ...ref.path], ref.name);
    });
  });
  s.builds.benign.forEach((f, j) => {
    for (const ref of regionRefs(f.params)) region(['builds', 'benign', j, ...ref.path], ref.name);
  });
  s.confounders.forEach((c, i) => {
    if (c.ratePerDay === 0 && c.pinned === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['confounders', i],
        message: 'this confounder never happens: give it a ratePerDay > 0 or a pinned occurrence',
      });
    }
    for (const ref of regionRefs(c.params)) region(['confounders', i, ...ref.path], ref.name);
  });
}

/** The scenario without the two fields the file supplies. */
export type ScenarioBody = Omit<ScenarioConfig, 'name' | 'baseDir'>;

/** People's working days and hours: the `people:` section's, each defaulting to the schedule's. */
function peopleHours(
  schedule: ParsedScenario['schedule'],
  people: ParsedScenario['people'],
): HourWindow {
  return {
    days: people.days ?? schedule.days,
    fromHour: people.fromHour ?? schedule.fromHour,
    toHour: people.toHour ?? schedule.toHour,
  };
}

function traceBody(t: { file: string; stepMinutes?: number | undefined }): TraceConfig {
  return t.stepMinutes === undefined
    ? { file: t.file }
    : { file: t.file, stepMinutes: t.stepMinutes };
}

function toBody(s: ParsedScenario): ScenarioBody {
  const trace = s.traffic.trace;
  const { trace: _trace, ...traffic } = s.traffic;
  const { trace: businessTrace, ...business } = s.service.business;
  return {
    description: s.description,
    fleet: { regions: s.fleet.regions.map((r) => ({ ...r })) },
    traffic:
      trace === undefined
        ? traffic
        : {
            ...traffic,
            trace: traceBody(trace),
          },
    service: {
      ...s.service,
      business:
        businessTrace === undefined ? business : { ...business, trace: traceBody(businessTrace) },
    },
    noise: s.noise,
    staging: s.staging,
    dataRows: s.dataRows,
    deploy: s.deploy,
    schedule: {
      days: s.schedule.days,
      fromHour: s.schedule.fromHour,
      toHour: s.schedule.toHour,
      // The first region is where builds start unless the scenario says otherwise.
      region: s.schedule.region ?? s.fleet.regions[0]!.name,
    },
    people: {
      workingHours: s.people.alwaysAtWork ? [] : [peopleHours(s.schedule, s.people)],
      pages: s.people.pages.enabled
        ? { alertAfter: s.people.pages.alertAfter, response: { ...s.people.pages.response } }
        : undefined,
    },
    builds: {
      badShare: s.builds.badShare,
      bad: s.builds.bad.map((t): BadBuildTemplate => ({
        name: t.name,
        weight: t.weight,
        faults: t.faults,
      })),
      benign: s.builds.benign,
    },
    confounders: s.confounders,
    impactBar: s.impactBar,
    horizon: s.horizon,
    metricInterval: s.metricInterval,
    scrapeInterval: s.scrapeInterval,
    ...(s.stream === undefined
      ? {}
      : { stream: { ...s.stream, maxBatch: s.stream.maxBatch ?? undefined } }),
  };
}

/** The scenario schema, reading plugin registries when it parses. */
export function scenarioSchema(regs: Registries) {
  return scenarioShape(regs).superRefine(crossCheck).transform(toBody);
}
