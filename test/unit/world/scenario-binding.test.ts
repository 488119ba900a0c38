import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseScenario, type Registries } from '../../../src/config/index.js';
import { GatesimError } from '../../../src/errors.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { ConfounderModel } from '../../../src/world/confounders/types.js';
import { checkParams } from '../../../src/world/faults/shared/params.js';
import type { FaultInstance, FaultModel } from '../../../src/world/faults/types.js';
import { resolveParams } from '../../../src/world/params.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { drawBuild, drawConfounders } from '../../../src/world/trial-setup.js';
import { QUIET_SCENARIO } from '../../helpers/configs.js';

/** A fault and a confounder family whose schemas count their parses. */
function countingFamilies() {
  const parses = { fault: 0, confounder: 0 };
  const faultParams = z
    .strictObject({ add: z.number().min(0).max(1).default(0.01) })
    .transform((p) => (parses.fault++, p));
  const notSimulated = (): never => {
    throw new Error('not simulated');
  };
  const fault: FaultModel<z.output<typeof faultParams>> = {
    kind: 'counted',
    summary: 'counts its parses',
    params: faultParams,
    create: (params): FaultInstance => ({
      kind: 'counted',
      params: checkParams('counted', faultParams, params),
      benign: false,
      ciKind: 'counted',
      apply: notSimulated,
      nextRestart: notSimulated,
      onset: notSimulated,
      trueEffect: notSimulated,
    }),
  };
  const incidentParams = z
    .strictObject({ duration: z.number().positive().default(30) })
    .transform((p) => (parses.confounder++, p));
  const incident: ConfounderModel<z.output<typeof incidentParams>> = {
    kind: 'counted-incident',
    summary: 'counts its parses',
    params: incidentParams,
    create: (params, ctx) =>
      incident.occurrence!(checkParams('counted-incident', incidentParams, params), ctx),
    occurrence: (p, ctx) => ({
      kind: 'counted-incident',
      start: ctx.start,
      end: ctx.start + p.duration,
      region: undefined,
    }),
  };
  const registries: Registries = {
    faults: { counted: fault as FaultModel },
    confounders: { 'counted-incident': incident as ConfounderModel },
    judges: {},
  };
  return { registries, parses };
}

const COUNTED = `${QUIET_SCENARIO}
builds:
  badShare: 1
  bad:
    - { name: both, weight: 1, faults: [ { kind: counted, add: 0.02 }, { kind: counted, add: { min: 0.1, max: 0.2 } } ] }
confounders:
  - { kind: counted-incident, ratePerDay: 20 }
  - { kind: counted-incident, ratePerDay: 5, duration: { min: 10, max: 20 } }
`;

describe('bindScenario', () => {
  it('checks fixed parameters once for every trial, and ranged ones once per draw', () => {
    const { registries, parses } = countingFamilies();
    const binding = bindScenario(
      parseScenario(COUNTED, 'counted.yaml', { registries }),
      registries,
    );
    parses.fault = 0;
    parses.confounder = 0;
    const trials = 20;
    let fixedOccurrences = 0;
    let rangedOccurrences = 0;
    const fixedFaults = new Set<FaultInstance>();
    for (let trial = 0; trial < trials; trial++) {
      const streams = new TrialStreams(1, trial);
      const [fixed, ranged] = drawBuild(binding, streams).faults as [FaultInstance, FaultInstance];
      fixedFaults.add(fixed);
      expect(fixed.params).toEqual({ add: 0.02 });
      expect(ranged.params.add).toBeGreaterThanOrEqual(0.1);
      expect(ranged.params.add).toBeLessThanOrEqual(0.2);
      for (const c of drawConfounders(binding, streams, 20000)) {
        if (c.end - c.start === 30) fixedOccurrences++;
        else rangedOccurrences++;
      }
    }
    // The fixed fault is one instance made at binding; each ranged one is checked by its factory.
    expect(fixedFaults.size).toBe(1);
    expect(parses.fault).toBe(trials);
    // Nine days of 20 a day: the fixed spec's many occurrences cost no parse at all.
    expect(fixedOccurrences).toBeGreaterThan(trials * 100);
    expect(parses.confounder).toBe(rangedOccurrences);
  });

  it('looks kinds up in the registries it is given, not in the program’s own', () => {
    const { registries } = countingFamilies();
    const loaded = parseScenario(COUNTED, 'counted.yaml', { registries });
    expect(() => bindScenario(loaded, { faults: {}, confounders: registries.confounders })).toThrow(
      new GatesimError('unknown-fault', 'unknown fault kind "counted"'),
    );
  });

  it('names a bad fixed parameter of a scenario that never went through the loader', () => {
    const { registries } = countingFamilies();
    const loaded = parseScenario(COUNTED, 'counted.yaml', { registries });
    const broken = structuredClone(loaded);
    broken.builds.bad[0]!.faults[0]!.params = { add: 3 };
    expect(() => bindScenario(broken, registries)).toThrow(/^counted: add: /);
  });
});

describe('bindScenario: ranged parameters of a family whose parameters are fields', () => {
  /** A family of plain fields; each field's schema counts its parses. */
  function fieldFamily(steps: z.ZodType<number> = z.number().int()) {
    const parses = { duration: 0, level: 0, steps: 0 };
    const params = z.strictObject({
      duration: z
        .number()
        .positive()
        .transform((v) => (parses.duration++, v)),
      level: z
        .number()
        .default(2)
        .transform((v) => (parses.level++, v)),
      steps: steps.default(1).transform((v) => (parses.steps++, v)),
    });
    const model: ConfounderModel<z.output<typeof params>> = {
      kind: 'fields',
      summary: 'plain fields',
      params,
      create: (p, ctx) => model.occurrence!(checkParams('fields', params, p), ctx),
      occurrence: (p, ctx) => ({
        kind: 'fields',
        start: ctx.start,
        end: ctx.start + p.duration * p.level * p.steps,
        region: undefined,
      }),
    };
    const registries: Registries = {
      faults: {},
      confounders: { fields: model as ConfounderModel },
      judges: {},
    };
    return { registries, parses, model };
  }
  const yaml = (confounder: string) => `${QUIET_SCENARIO}
confounders:
  - ${confounder}
`;

  it('checks each drawn value against its own field and parses the rest once, at binding', () => {
    const { registries, parses, model } = fieldFamily();
    const scenario = parseScenario(
      yaml('{ kind: fields, ratePerDay: 10, duration: { min: 10, max: 40 } }'),
      'fields.yaml',
      { registries },
    );
    const binding = bindScenario(scenario, registries);
    parses.duration = parses.level = parses.steps = 0;
    const bound = binding.confounders[0]!;
    for (let k = 0; k < 50; k++) {
      const a = new TrialStreams(3, k).get('occurrence');
      const b = new TrialStreams(3, k).get('occurrence');
      const got = bound.occurrence(a, 100, binding.regions);
      // The factory on the whole drawn object, from the same stream: the same occurrence. (The
      // factory takes what the loader hands it, unchecked, and checks it itself.)
      const drawn = resolveParams(bound.spec.params, b) as Parameters<typeof model.create>[0];
      const want = model.create(drawn, {
        rng: b,
        start: 100,
        regions: binding.regions,
      });
      expect(got).toEqual(want);
    }
    // 50 occurrences here, 50 for the factory's whole-object parses; the fixed fields only there.
    expect(parses.duration).toBe(100);
    expect(parses.level).toBe(50);
    expect(parses.steps).toBe(50);
  });

  it('names the field when a drawn value breaks its schema (an integer field drawn from a range)', () => {
    const { registries } = fieldFamily();
    const scenario = parseScenario(
      yaml('{ kind: fields, ratePerDay: 10, duration: 5, steps: { min: 1, max: 3 } }'),
      'fields.yaml',
      { registries },
    );
    const binding = bindScenario(scenario, registries);
    const rng = new TrialStreams(1, 0).get('occurrence');
    expect(() => binding.confounders[0]!.occurrence(rng, 0, binding.regions)).toThrow(
      /^fields: steps: /,
    );
  });
});
