import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../../src/errors.js';
import { streamFor } from '../../../../src/random/index.js';
import { CONFOUNDERS } from '../../../../src/world/confounders/index.js';
import type { ConfounderDrawContext } from '../../../../src/world/confounders/types.js';
import {
  identityEffect,
  type CohortView,
  type RegionRuntime,
} from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const world = makeFakeWorld({
  regions: [
    { name: 'us-east', trafficShare: 0.5, hosts: 10, utcOffsetHours: -5 },
    { name: 'eu-west', trafficShare: 0.3, hosts: 10, utcOffsetHours: 0 },
    { name: 'ap-south', trafficShare: 0.2, hosts: 10, utcOffsetHours: 5.5 },
  ],
});
const [east, west] = world.regions as [RegionRuntime, RegionRuntime, RegionRuntime];

function ctx(start = 1000, seed = 1): ConfounderDrawContext {
  return {
    rng: streamFor({ seed, trial: 0, purpose: 'confounders:0' }),
    start,
    regions: world.regions,
  };
}

function make(kind: string, params: Record<string, unknown>, c = ctx()) {
  const model = CONFOUNDERS[kind]!;
  return model.create(model.params.parse(params), c);
}

function effect(kind: string, params: Record<string, unknown>, cohort: CohortView, t: number) {
  const acc = identityEffect();
  make(kind, params).apply?.(acc, cohort, t);
  return acc;
}

const oldEast = {
  ...cohortOf(east),
  isNew: false,
  deployedAt: -Infinity,
  lastRestartAt: -Infinity,
};
const newEast = cohortOf(east, { deployedAt: 900 });
const newWest = cohortOf(west, { deployedAt: 900 });

describe('confounder registry', () => {
  it('holds the five families, keyed by kind, with strict params', () => {
    expect(Object.keys(CONFOUNDERS).sort()).toEqual(
      [
        'concurrent-deploy',
        'metrics-delay',
        'metrics-gap',
        'traffic-spike',
        'upstream-incident',
      ].sort(),
    );
    for (const [key, model] of Object.entries(CONFOUNDERS)) {
      expect(model.kind).toBe(key);
      expect(model.params.safeParse({ nonsense: 1 }).success).toBe(false);
      const inst = model.create(model.params.parse({}), ctx(500));
      expect(inst.kind).toBe(key);
      expect(inst.start).toBe(500);
      expect(inst.end).toBeGreaterThan(500);
    }
  });

  it('each makes the same occurrence from parsed parameters as create does, and create still checks', () => {
    for (const [kind, model] of Object.entries(CONFOUNDERS)) {
      const params = model.params.parse({});
      const { apply: _a, ...made } = model.create(params, ctx(700, 3));
      const { apply: _b, ...trusted } = model.occurrence!(params, ctx(700, 3));
      expect(trusted).toEqual(made);
      expect(() => model.create({ duration: -1 }, ctx())).toThrow(new RegExp(`^${kind}: `));
    }
  });
});

describe('upstream-incident', () => {
  it('defaults: +2 pp for 30 minutes, fleet-wide', () => {
    const inst = make('upstream-incident', {});
    expect(inst).toMatchObject({ start: 1000, end: 1030, region: undefined });
  });

  it('hits old and new production hosts alike, inside [start, end) only', () => {
    for (const cohort of [oldEast, newEast, newWest]) {
      expect(effect('upstream-incident', { latencyMultiplier: 1.5 }, cohort, 1000)).toMatchObject({
        errorAdd: 0.02,
        latencyMul: 1.5,
      });
      expect(effect('upstream-incident', {}, cohort, 1029.99).errorAdd).toBe(0.02);
      expect(effect('upstream-incident', {}, cohort, 1030).errorAdd).toBe(0);
      expect(effect('upstream-incident', {}, cohort, 999.99).errorAdd).toBe(0);
    }
  });

  it('spares staging and other regions when confined to one', () => {
    expect(
      effect('upstream-incident', {}, cohortOf(world.staging, { environment: 'staging' }), 1010)
        .errorAdd,
    ).toBe(0);
    expect(effect('upstream-incident', { region: 'eu-west' }, newEast, 1010).errorAdd).toBe(0);
    expect(effect('upstream-incident', { region: 'eu-west' }, newWest, 1010).errorAdd).toBe(0.02);
  });

  it('rejects a region the fleet does not have', () => {
    expect(() => make('upstream-incident', { region: 'eu-wset' })).toThrow(GatesimError);
    expect(() =>
      make('upstream-incident', { region: 'eu-wset' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: upstream-incident: region "eu-wset" is not in the fleet (regions: us-east, eu-west, ap-south)]`,
    );
  });
});

describe('traffic-spike', () => {
  it('multiplies traffic for its duration and touches no effect', () => {
    const inst = make('traffic-spike', { multiplier: 3, duration: '10m', region: 'us-east' });
    expect(inst).toMatchObject({ start: 1000, end: 1010, region: 'us-east', trafficMultiplier: 3 });
    expect(inst.apply).toBeUndefined();
    expect(make('traffic-spike', {})).toMatchObject({
      end: 1020,
      trafficMultiplier: 2,
      region: undefined,
    });
  });
});

describe('metrics-gap and metrics-delay', () => {
  it('mark a fleet-wide window of missing or late points', () => {
    expect(make('metrics-gap', {})).toMatchObject({
      start: 1000,
      end: 1015,
      region: undefined,
      metricsGap: true,
    });
    expect(make('metrics-delay', {})).toMatchObject({ start: 1000, end: 1060, metricsDelayMin: 5 });
    expect(make('metrics-delay', { delay: '90s', duration: '2h' })).toMatchObject({
      end: 1120,
      metricsDelayMin: 1.5,
    });
  });
});

describe('concurrent-deploy', () => {
  it('defaults: +0.5 pp and +15% latency for 20 minutes in one region', () => {
    const inst = make('concurrent-deploy', { region: 'eu-west' });
    expect(inst).toMatchObject({ start: 1000, end: 1020, region: 'eu-west' });
    expect(effect('concurrent-deploy', { region: 'eu-west' }, newWest, 1005)).toMatchObject({
      errorAdd: 0.005,
      latencyMul: 1.15,
    });
    expect(effect('concurrent-deploy', { region: 'eu-west' }, newEast, 1005)).toMatchObject({
      errorAdd: 0,
      latencyMul: 1,
    });
  });

  it('draws its region from the occurrence stream: same stream, same region', () => {
    expect(make('concurrent-deploy', {}, ctx(1000, 42)).region).toBe(
      make('concurrent-deploy', {}, ctx(1000, 42)).region,
    );
  });

  it('picks each region about equally often (binomial bounds over 3 000 draws)', () => {
    const rng = streamFor({ seed: 7, trial: 3, purpose: 'confounders:1' });
    const counts = new Map<string, number>();
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const r = make('concurrent-deploy', {}, { rng, start: i, regions: world.regions }).region!;
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    // Each count ~ Binomial(3000, 1/3): sd ≈ 25.8; ±5 sd is a fixed-seed bound that a biased pick would break.
    for (const r of world.regions)
      expect(Math.abs((counts.get(r.name) ?? 0) - n / 3)).toBeLessThan(5 * Math.sqrt((n * 2) / 9));
  });
});
