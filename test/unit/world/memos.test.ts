/**
 * The world's memos are performance state only: whatever was asked before, a memo answers
 * exactly (bit for bit) what the direct computation answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/index.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { ConfounderInstance } from '../../../src/world/confounders/types.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import { FAULTS } from '../../../src/world/faults/index.js';
import { Load } from '../../../src/world/load.js';
import { regionRuntimes } from '../../../src/world/regions.js';
import { Sampler, type CohortGroup } from '../../../src/world/sampler.js';
import { METRIC_NAMES, type Environment, type MetricPoint } from '../../../src/world/types.js';
import { World } from '../../../src/world/world.js';
import { scenario } from '../../helpers/configs.js';

const SCENARIO = scenario(`
fleet:
  regions:
    - { name: a, trafficShare: 0.5, hosts: 12, utcOffsetHours: -5 }
    - { name: b, trafficShare: 0.3, hosts: 8, utcOffsetHours: 0 }
    - { name: c, trafficShare: 0.2, hosts: 6, utcOffsetHours: 5.5 }
traffic: { peakRequestsPerMin: 30000, diurnalAmplitude: 0.35, peakHourLocal: 14, weekendFactor: 0.7 }
`);
const REGIONS = regionRuntimes(SCENARIO.fleet.regions);
/** A traffic spike in region b, so one region's curve is a bumped one. */
const SPIKE: ConfounderInstance = {
  kind: 'traffic-spike',
  start: 10200,
  end: 10260,
  region: 'b',
  trafficMultiplier: 2.5,
};

function load(): Load {
  return new Load({ scenario: SCENARIO, regions: REGIONS, confounders: [SPIKE] });
}

describe('Load.perHostRequests memo', () => {
  it('answers exactly what a load with no history answers, after any sequence of questions', () => {
    // Few distinct spans, so the two slots per region hit, miss and get overwritten in every order.
    const span = fc.record({
      region: fc.integer({ min: 0, max: 2 }),
      environment: fc.constantFrom<Environment>('production', 'production', 'staging'),
      a: fc.oneof(
        fc.integer({ min: 0, max: 12 }).map((k) => 10180 + 5 * k),
        fc.double({ min: 10000, max: 10400, noNaN: true }),
      ),
      length: fc.constantFrom(5, 5, 1, 0.5, 60, 0, -1),
    });
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 60, size: 'max' }), (asks) => {
        const memo = load();
        for (const { region, environment, a, length } of asks) {
          const r = REGIONS[region]!;
          const answer = memo.perHostRequests(environment, r, a, a + length);
          const direct = load().perHostRequests(environment, r, a, a + length);
          expect(Object.is(answer, direct)).toBe(true);
        }
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});

describe('Sampler point memo', () => {
  function world(): World {
    const sim = new Simulator<FleetEvent>(0);
    const leak = FAULTS['memory-leak']!;
    const w = new World({
      scenario: SCENARIO,
      streams: new TrialStreams(9, 2),
      load: load(),
      faults: [leak.create(leak.params.parse({ bytesPerRequest: 30000 }))],
      confounders: [SPIKE],
      startAt: 10080,
      endLimit: 1e6,
      scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
    });
    w.fleet.deploy('production', 0, 4, 10100);
    w.fleet.deploy('production', 1, 8, 10110);
    return w;
  }

  it('asking again returns the same point, and a point is the same whatever was asked before it', () => {
    const ask = fc.record({
      group: fc.integer({ min: 0, max: 2 }),
      metric: fc.constantFrom(...METRIC_NAMES),
      end: fc.integer({ min: 0, max: 8 }).map((k) => 10120 + k),
    });
    // New asks, each possibly followed by a repeat of an earlier one.
    const steps = fc.array(fc.record({ ask, again: fc.option(fc.nat(), { nil: undefined }) }), {
      minLength: 1,
      maxLength: 40,
      size: 'max',
    });
    fc.assert(
      fc.property(steps, (list) => {
        const asks = list.flatMap(({ ask: a }, i) => {
          const again = list[i]!.again;
          return again === undefined ? [a] : [a, list[again % (i + 1)]!.ask];
        });
        const withRepeats = world();
        const groups = (w: World): CohortGroup[] => [
          { key: 'new', cohorts: w.fleet.select((c) => c.isNew) },
          { key: 'old', cohorts: w.fleet.select((c) => !c.isNew) },
          { key: 'all', cohorts: w.fleet.select(() => true) },
        ];
        const g = groups(withRepeats);
        const seen = new Map<string, MetricPoint>();
        const order: { group: number; metric: (typeof METRIC_NAMES)[number]; end: number }[] = [];
        for (const a of asks) {
          const id = `${a.group}/${a.metric}/${a.end}`;
          const p = withRepeats.sampler.point(g[a.group]!, a.metric, a.end);
          const first = seen.get(id);
          if (first === undefined) {
            seen.set(id, p);
            order.push(a);
          } else expect(p).toBe(first);
        }
        // A world asked each point once, in the opposite order, draws the very same points:
        // a point's randomness is keyed by what it is, not by when it was first asked for.
        const once = world();
        const h = groups(once);
        for (const a of order.reverse()) {
          const p = once.sampler.point(h[a.group]!, a.metric, a.end);
          expect(p).toEqual(seen.get(`${a.group}/${a.metric}/${a.end}`));
        }
      }),
      { seed: 21, numRuns: 60 },
    );
  });
});

describe('Sampler effect memos and old-build regions', () => {
  // A build with a cold cache (an effect that follows each cohort's last process start) and a
  // leak, a confounder that changes what region a's hosts do for an hour, hosts in a fresh
  // baseline: every kind of cohort the memos treat differently.
  const DEGRADATION: ConfounderInstance = {
    kind: 'concurrent-deploy',
    start: 10125,
    end: 10185,
    region: 'a',
    apply: (acc, c, t) => {
      if (t < 10125 || t >= 10185 || c.environment !== 'production' || c.region.name !== 'a')
        return;
      acc.errorAdd += 0.02;
      acc.latencyMul *= 1.4;
    },
  };

  const cold = FAULTS['cold-cache']!;
  const leak = FAULTS['memory-leak']!;
  const FAULT_LIST = [
    cold.create(cold.params.parse({ latencyMultiplier: 3, warmupMinutes: 4 })),
    leak.create(leak.params.parse({ bytesPerRequest: 30000 })),
  ];

  function world(): World {
    const sim = new Simulator<FleetEvent>(0);
    const w = new World({
      scenario: SCENARIO,
      streams: new TrialStreams(5, 3),
      load: load(),
      faults: FAULT_LIST,
      confounders: [SPIKE, DEGRADATION],
      startAt: 10080,
      endLimit: 1e6,
      scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
    });
    w.fleet.deploy('production', 0, 4, 10100);
    w.fleet.deploy('production', 0, 3, 10104);
    w.fleet.deploy('production', 1, 5, 10110);
    w.fleet.deploy('production', 2, 2, 10112);
    w.fleet.startFreshBaseline(0, 2, 10106);
    return w;
  }

  /** The same world's cohorts, read by a sampler that computes every effect directly. */
  function directSampler(w: World): Sampler {
    return new Sampler({
      scenario: SCENARIO,
      load: w.load,
      effects: w.effects,
      faults: FAULT_LIST,
      confounders: [SPIKE, DEGRADATION],
      trialKey: 'gatesim/5/3/observe',
      direct: true,
    });
  }

  const groups = (w: World): CohortGroup[] => [
    { key: 'new', cohorts: w.fleet.select((c) => c.isNew) },
    { key: 'old', cohorts: w.fleet.select((c) => !c.isNew && !c.freshBaseline) },
    { key: 'fresh', cohorts: w.fleet.select((c) => c.freshBaseline) },
    { key: 'all', cohorts: w.fleet.select(() => true) },
  ];

  const step = fc.oneof(
    fc.record({
      kind: fc.constant('point' as const),
      group: fc.integer({ min: 0, max: 3 }),
      metric: fc.constantFrom(...METRIC_NAMES),
      end: fc.integer({ min: 0, max: 90 }).map((k) => 10115 + k),
    }),
    fc.record({
      kind: fc.constant('old' as const),
      group: fc.integer({ min: 0, max: 3 }),
      metric: fc.constantFrom(...METRIC_NAMES),
      end: fc.integer({ min: 1, max: 90 }).map((k) => 10115 + k - 10080),
    }),
    fc.record({ kind: fc.constant('restart' as const), cohort: fc.integer({ min: 0, max: 4 }) }),
  );

  it('draws what computing every effect directly draws; an old-build region draws what its cohorts do', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }), (steps) => {
        const w = world();
        const fast = groups(w);
        const direct = directSampler(w);
        let now = 10120;
        for (const s of steps) {
          if (s.kind === 'restart') {
            // Both samplers read the same cohorts: a restart moves what both must see.
            w.fleet.handle({ kind: 'restart', cohort: s.cohort }, (now += 1));
            continue;
          }
          const g = fast[s.group]!;
          if (s.kind === 'point') {
            const a = w.sampler.point(g, s.metric, s.end);
            const b = direct.point(g, s.metric, s.end);
            expect(a).toEqual(b);
          } else {
            const a = w.sampler.pointAsOld(g, s.metric, s.end, s.end);
            const b = direct.pointAsOld(g, s.metric, s.end, s.end);
            expect(a.n).toBe(b.n);
            expect(a.events).toBe(b.events);
            if (Number.isNaN(b.value)) expect(a.value).toBeNaN();
            else expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(1e-9 * Math.abs(b.value));
          }
        }
      }),
      { seed: 34, numRuns: 80 },
    );
  });
});
