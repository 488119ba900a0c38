import { describe, expect, it } from 'vitest';
import { rollbackBreakerFault } from '../../../../src/world/faults/rollback-breaker.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  rollbackBreakerFault.create(rollbackBreakerFault.params.parse(params));
const world = makeFakeWorld();

describe('rollback-breaker', () => {
  it('defaults to errors on rollback: +5% for 2h', () => {
    expect(rollbackBreakerFault.params.parse({})).toEqual({
      mode: 'errors',
      errorAdd: 0.05,
      duration: 120,
    });
    expect(make({}).rollback).toEqual({ fails: false, errorAdd: 0.05, durationMin: 120 });
  });

  it('in fail mode, rolling back does not complete and adds no errors', () => {
    expect(make({ mode: 'fail', errorAdd: 0.2, duration: '1h' }).rollback).toEqual({
      fails: true,
      errorAdd: 0,
      durationMin: 0,
    });
    expect(rollbackBreakerFault.params.safeParse({ mode: 'explode' }).success).toBe(false);
  });

  it('does nothing while the build runs', () => {
    const f = make({ mode: 'errors', errorAdd: 0.1, duration: '3h' });
    const acc = identityEffect();
    f.apply(acc, cohortOf(world.regions[0]!), world, 50);
    expect(acc).toEqual(identityEffect());
    expect(f.onset(cohortOf(world.regions[0]!), world, 1e4)).toBe(Infinity);
    expect(f.trueEffect(world, 0, 600)).toEqual({
      errorRatePp: 0,
      p99Ratio: 1,
      conversionDropPct: 0,
      resourceExhaustion: false,
    });
    expect(f.ciKind).toBe('rollback-breaker');
  });
});
