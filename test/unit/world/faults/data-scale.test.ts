import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataScaleFault } from '../../../../src/world/faults/data-scale.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  dataScaleFault.create(dataScaleFault.params.parse(params));
// Production 50M rows, staging 100k; service median 80 ms, σ 0.5.
const world = makeFakeWorld();
const prod = cohortOf(world.regions[0]!, { deployedAt: 20 });
const staging = cohortOf(world.staging, { environment: 'staging', deployedAt: 20 });
const slowQuery = make({ latencyMsPerMillionRows: 20 });

describe('data-scale', () => {
  it('fills the documented defaults', () => {
    expect(dataScaleFault.params.parse({ latencyMsPerMillionRows: 5 })).toEqual({
      latencyMsPerMillionRows: 5,
      affectedShare: 0.2,
      timeoutMs: 0,
      onsetDelay: 0,
    });
  });

  it('slows the affected share by (median + rate × rows/1e6) / median', () => {
    const acc = identityEffect();
    slowQuery.apply(acc, prod, world, 30);
    expect(acc.slowShare).toBe(0.2);
    expect(acc.slowMul).toBe(13.5); // (80 + 20 × 50) / 80
    expect(acc.errorAdd).toBe(0);
    const small = identityEffect();
    slowQuery.apply(small, staging, world, 30);
    expect(small.slowMul).toBe(1.025); // (80 + 20 × 0.1) / 80
  });

  it('shows in production at deploy + onsetDelay, never on staging’s small tables', () => {
    expect(slowQuery.onset(prod, world, 1e4)).toBe(20);
    expect(make({ latencyMsPerMillionRows: 20, onsetDelay: 7 }).onset(prod, world, 1e4)).toBe(27);
    expect(slowQuery.onset(staging, world, 1e4)).toBe(Infinity);
    // Staging with production-sized tables shows it.
    const big = makeFakeWorld({
      staging: { hosts: 2, requestsPerMin: 200, dataRows: 50_000_000, loadShare: 0.05 },
    });
    expect(
      slowQuery.onset(cohortOf(big.staging, { environment: 'staging', deployedAt: 20 }), big, 1e4),
    ).toBe(20);
  });

  it('fails the share of slowed requests past the timeout beyond their baseline (R fixture)', () => {
    // R: 0.2 * (pnorm((log(2000) - log(1080)) / 0.5, lower.tail = FALSE)
    //          - pnorm((log(2000) - log(80)) / 0.5, lower.tail = FALSE)) = 0.021781005111620826
    const f = make({ latencyMsPerMillionRows: 20, timeoutMs: 2000 });
    const acc = identityEffect();
    f.apply(acc, prod, world, 30);
    expect(acc.errorAdd).toBeCloseTo(0.021781005111620826, 12);
    expect(f.trueEffect(world, 0, 600).errorRatePp).toBeCloseTo(2.1781005111620826, 9);
  });

  it('p99 ratio is the R mixture quantile 0.8·LN(0, 0.5) + 0.2·LN(log 13.5, 0.5)', () => {
    // R: uniroot on the mixture CDF (see shared/mixture.test.ts) → 9.6017230041785453.
    expect(slowQuery.trueEffect(world, 0, 600).p99Ratio).toBeCloseTo(9.6017230041785453, 8);
  });

  it('effect grows with the per-row cost and the affected share (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0.01, max: 0.8, noNaN: true }),
        (rate, dRate, share) => {
          const e = (r: number, s: number) =>
            make({ latencyMsPerMillionRows: r, affectedShare: s, timeoutMs: 1500 }).trueEffect(
              world,
              0,
              60,
            );
          const a = e(rate, share);
          const b = e(rate + dRate, share);
          const c = e(rate, Math.min(1, share + 0.1));
          expect(b.p99Ratio).toBeGreaterThanOrEqual(a.p99Ratio - 1e-9);
          expect(b.errorRatePp).toBeGreaterThanOrEqual(a.errorRatePp - 1e-12);
          expect(c.p99Ratio).toBeGreaterThanOrEqual(a.p99Ratio - 1e-9);
          expect(c.errorRatePp).toBeGreaterThanOrEqual(a.errorRatePp - 1e-12);
        },
      ),
      { seed: 19, numRuns: 50 },
    );
  });
});
