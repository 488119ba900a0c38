/**
 * A scenario bound for running: every fault and confounder spec looked up in the registries
 * and its fixed parameters checked once, every recorded series read once, the regions laid
 * out. Trials then draw from the binding and parse nothing, look nothing up and read no file.
 * A binding holds functions, so it stays in the thread that made it: a worker binds the plain
 * scenario it receives.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { RandomStream, TrialStreams } from '../random/index.js';
import { GatesimError } from '../errors.js';
import type {
  ConfounderDrawContext,
  ConfounderInstance,
  ConfounderModel,
} from './confounders/types.js';
import type { FaultInstance, FaultModel } from './faults/types.js';
import { checkParams } from './faults/shared/params.js';
import { isRange, rangeCorners, resolveParams } from './params.js';
import { regionRuntimes } from './regions.js';
import { loadTrace, traceCurve, type Trace } from './trace.js';
import type {
  ConfounderSpec,
  FaultSpec,
  Minutes,
  RegionRuntime,
  ScenarioConfig,
  TraceConfig,
} from './types.js';

/** The fault and confounder families a scenario is bound against (the loader checks against the same). */
export interface WorldRegistries {
  readonly faults: Readonly<Record<string, FaultModel>>;
  readonly confounders: Readonly<Record<string, ConfounderModel>>;
}

/** A fault spec bound to its family. */
export interface BoundFault {
  /** The fault a build carries in one trial; draws from `streams.get(purpose)` only for ranges. */
  create(streams: TrialStreams, purpose: string): FaultInstance;
}

/** A confounder spec bound to its family, with how often it happens. */
export interface BoundConfounder {
  readonly spec: ConfounderSpec;
  /** One occurrence starting at `start`; ranged parameters are drawn from `rng` first. */
  occurrence(
    rng: RandomStream,
    start: Minutes,
    regions: readonly RegionRuntime[],
  ): ConfounderInstance;
}

/** A recorded series, read and measured once. */
export interface Recording {
  readonly trace: Trace;
  /** The series' mean as a share of its typical peak. */
  readonly meanShare: number;
}

export interface ScenarioBinding {
  readonly scenario: ScenarioConfig;
  readonly regions: readonly RegionRuntime[];
  /** Per bad-build template, in the scenario's order: its faults. */
  readonly bad: readonly (readonly BoundFault[])[];
  /** Effects every build carries. */
  readonly benign: readonly BoundFault[];
  readonly confounders: readonly BoundConfounder[];
  /** The recorded traffic shape, when the scenario has one. */
  readonly traffic: Recording | undefined;
  /** The recorded business series, when the scenario has one. */
  readonly business: Recording | undefined;
}

/**
 * Binds a scenario against registries (the program's own are `liveRegistries` in config/).
 * @throws GatesimError for an unknown kind, parameters the family rejects, or a trace that cannot be read.
 */
export function bindScenario(
  scenario: ScenarioConfig,
  registries: WorldRegistries,
): ScenarioBinding {
  const fault = (spec: FaultSpec) => bindFault(lookup(registries.faults, spec.kind, 'fault'), spec);
  const record = (spec: TraceConfig | undefined) =>
    spec === undefined ? undefined : recording(scenario.baseDir, spec);
  return {
    scenario,
    regions: regionRuntimes(scenario.fleet.regions),
    bad: scenario.builds.bad.map((template) => template.faults.map(fault)),
    benign: scenario.builds.benign.map(fault),
    confounders: scenario.confounders.map((spec) =>
      bindConfounder(lookup(registries.confounders, spec.kind, 'confounder'), spec),
    ),
    traffic: record(scenario.traffic.trace),
    business: record(scenario.service.business.trace),
  };
}

function lookup<T>(registry: Readonly<Record<string, T>>, kind: string, family: string): T {
  if (!Object.hasOwn(registry, kind))
    throw new GatesimError(`unknown-${family}`, `unknown ${family} kind "${kind}"`);
  return registry[kind]!;
}

/**
 * Fixed parameters make one instance for every trial (instances hold no trial state: a
 * trial's runs under different policies share them too); ranged ones are drawn per trial and
 * checked by the factory.
 */
function bindFault(model: FaultModel, spec: FaultSpec): BoundFault {
  if (!Object.values(spec.params).some(isRange)) {
    const fixed = model.create(checkParams(spec.kind, model.params, spec.params));
    return { create: () => fixed };
  }
  return {
    create: (streams, purpose) => model.create(resolveParams(spec.params, streams.get(purpose))),
  };
}

/**
 * Fixed parameters are checked here, once; an occurrence then trusts them when the family
 * says how (`occurrence`). Ranged ones are drawn per occurrence: when the family's parameters
 * are an object of fields, each drawn value is checked against its own field's schema and
 * put into the parameters parsed here (defaults filled once), instead of parsing the whole
 * object again for each of a trial's occurrences; otherwise the factory checks them all.
 */
function bindConfounder(model: ConfounderModel, spec: ConfounderSpec): BoundConfounder {
  const make = (params: unknown, ctx: ConfounderDrawContext) =>
    model.occurrence !== undefined ? model.occurrence(params, ctx) : model.create(params, ctx);
  if (!Object.values(spec.params).some(isRange)) {
    const params = checkParams(spec.kind, model.params, spec.params);
    return { spec, occurrence: (rng, start, regions) => make(params, { rng, start, regions }) };
  }
  const fields = fieldSchemas(model.params);
  if (fields === undefined || model.occurrence === undefined) {
    return {
      spec,
      occurrence: (rng, start, regions) =>
        model.create(resolveParams(spec.params, rng), { rng, start, regions }),
    };
  }
  const ranged = Object.keys(spec.params).filter((k) => isRange(spec.params[k]));
  // Every range at its low end: the fixed fields and defaults, parsed once.
  const base = checkParams(spec.kind, model.params, rangeCorners(spec.params)[0]) as Record<
    string,
    unknown
  >;
  return {
    spec,
    occurrence: (rng, start, regions) => {
      const drawn = resolveParams(spec.params, rng);
      const params = { ...base };
      for (const key of ranged) params[key] = checkParams(spec.kind, fields[key]!, drawn[key], key);
      return make(params, { rng, start, regions });
    },
  };
}

/**
 * The schema of each field when a family's parameters are a plain object of fields (no check
 * of the object as a whole, which a field-by-field check would skip); undefined otherwise.
 */
function fieldSchemas(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  if ((schema.def.checks ?? []).length > 0) return undefined;
  return schema.shape as Record<string, z.ZodType>;
}

function recording(baseDir: string, spec: TraceConfig): Recording {
  const trace = loadTrace(
    resolve(baseDir, spec.file),
    spec.stepMinutes === undefined ? {} : { stepMinutes: spec.stepMinutes },
  );
  const whole = traceCurve(trace, 0);
  return { trace, meanShare: whole.integral(0, trace.period) / trace.period };
}
