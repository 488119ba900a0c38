import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseScenario, type Registries } from '../../../src/config/index.js';
import { GatesimError } from '../../../src/errors.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { ConfounderModel } from '../../../src/world/confounders/types.js';
import { checkParams } from '../../../src/world/faults/shared/params.js';
import type { FaultInstance, FaultModel } from '../../../src/world/faults/types.js';
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
