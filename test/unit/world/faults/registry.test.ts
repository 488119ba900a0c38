import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../../src/errors.js';
import { FAULTS } from '../../../../src/world/faults/index.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld, restartedAt } from '../../../helpers/fake-world.js';

/**
 * The contract every fault family keeps, checked over the registry: a family added without
 * an example here fails the first test, so none escapes these checks.
 */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  'error-rate': { add: 0.02, minLoadShare: 0.8, onsetDelay: '1h' },
  latency: { medianMultiplier: 1.2, tailShare: 0.05, tailMultiplier: 4, onsetDelay: '10m' },
  'latency-spread': { spread: 1.5, onsetDelay: '10m' },
  'memory-leak': { bytesPerRequest: 4000 },
  'connection-pool-leak': { leakEveryRequests: 5000 },
  'data-scale': { latencyMsPerMillionRows: 10, timeoutMs: 1000 },
  'conversion-drop': { dropPct: 5, onsetDelay: '20m' },
  'crash-loop': { crashesPerHostHour: 30 },
  'rollback-breaker': { mode: 'errors' },
  'cold-cache': {},
};

const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });

describe('fault registry', () => {
  it('has an example for every family, keyed by its kind', () => {
    expect(Object.keys(FAULTS).sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const [key, model] of Object.entries(FAULTS)) {
      expect(model.kind).toBe(key);
      expect(model.summary.length).toBeGreaterThan(10);
    }
  });

  describe.each(Object.entries(FAULTS))('%s', (kind, model) => {
    const instance = model.create(model.params.parse(EXAMPLES[kind]));

    it('names itself and its CI kind', () => {
      expect(instance.kind).toBe(kind);
      expect(instance.ciKind).toBe(kind);
      expect(instance.benign).toBe(kind === 'cold-cache');
    });

    it('rejects unknown parameters', () => {
      expect(model.params.safeParse({ ...EXAMPLES[kind], bogus: 1 }).success).toBe(false);
    });

    it('onset is never before the deploy; nextRestart is always after `from` (property)', () => {
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 8000, noNaN: true }),
          fc.double({ min: 0, max: 3000, noNaN: true }),
          fc.double({ min: 0, max: 3000, noNaN: true }),
          fc.integer({ min: 0, max: 2 }),
          (deployedAt, ahead, restartAfter, which) => {
            const region = which === 2 ? world.staging : world.regions[which]!;
            const environment = which === 2 ? 'staging' : 'production';
            let cohort = cohortOf(region, { environment, deployedAt });
            if (restartAfter > 1000) cohort = restartedAt(cohort, deployedAt + restartAfter - 1000);
            const limit = deployedAt + 4 * 1440;
            expect(instance.onset(cohort, world, limit)).toBeGreaterThanOrEqual(deployedAt);
            const from = cohort.lastRestartAt + ahead;
            const next = instance.nextRestart(cohort, world, from, limit);
            expect(next).toBeGreaterThan(from);
            if (Number.isFinite(next)) expect(next).toBeLessThan(limit);
            const acc = identityEffect();
            instance.apply(acc, cohort, world, from);
            for (const v of Object.values(acc)) expect(Number.isFinite(v)).toBe(true);
            expect(acc.errorAdd).toBeGreaterThanOrEqual(0);
          },
        ),
        { seed: 29, numRuns: 60 },
      );
    });

    it('trueEffect is finite and comes from parameters alone (same inputs, same answer)', () => {
      const a = instance.trueEffect(world, 600, 600 + 1440);
      const b = instance.trueEffect(world, 600, 600 + 1440);
      expect(a).toEqual(b);
      expect(
        Number.isFinite(a.errorRatePp) &&
          Number.isFinite(a.p99Ratio) &&
          Number.isFinite(a.conversionDropPct),
      ).toBe(true);
      expect(a.p99Ratio).toBeGreaterThan(0);
    });
  });

  it('factories say which parameter is wrong', () => {
    const leak = FAULTS['memory-leak']!;
    expect(() => leak.create({ bytesPerRequest: -5 })).toThrow(GatesimError);
    expect(() => leak.create({ bytesPerRequest: -5 })).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: memory-leak: bytesPerRequest: Too small: expected number to be >0]`,
    );
  });
});
