/**
 * Calibration: long runs of each fault through the real World measure the effect its
 * parameters say, and a good build with noise measures none. Errors and conversion are
 * compared with the closed form; tolerances are a few binomial standard errors.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/index.js';
import { TrialStreams } from '../../../src/random/index.js';
import { FAULTS } from '../../../src/world/faults/index.js';
import type { FaultInstance } from '../../../src/world/faults/types.js';
import type { MetricName } from '../../../src/world/types.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import { Load } from '../../../src/world/load.js';
import { regionRuntimes } from '../../../src/world/regions.js';
import { World } from '../../../src/world/world.js';
import { QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

const BASE = withBuilds(QUIET_SCENARIO, 'builds: { badShare: 0, bad: [] }');

function fault(kind: string, params: Record<string, unknown>): FaultInstance {
  const model = FAULTS[kind]!;
  return model.create(model.params.parse(params));
}

interface Run {
  world: World;
  sim: Simulator<FleetEvent>;
  t0: number;
}

/** A world without confounders whose restarts go to `sim`. */
function makeWorld(text: string, faults: FaultInstance[], sim: Simulator<FleetEvent>, seed = 1) {
  const s = scenario(text);
  return new World({
    scenario: s,
    streams: new TrialStreams(seed, 0),
    load: new Load({ scenario: s, regions: regionRuntimes(s.fleet.regions), confounders: [] }),
    faults,
    confounders: [],
    startAt: 0,
    endLimit: 1e6,
    scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
  });
}

/** A world where half of the 20 hosts run the new build from t0. */
function halfDeployed(faults: FaultInstance[], text = BASE, seed = 1): Run {
  const sim = new Simulator<FleetEvent>(0);
  const world = makeWorld(text, faults, sim, seed);
  const t0 = 10080 + 600;
  sim.run(() => undefined, t0);
  world.fleet.deploy('production', 0, 10, t0);
  return { world, sim, t0 };
}

/** Sums a rate metric's events and samples for the new and the old hosts over [from, to). */
function measure(run: Run, metric: MetricName, from: number, to: number) {
  const { world, sim } = run;
  const sum = {
    newEvents: 0,
    newN: 0,
    oldEvents: 0,
    oldN: 0,
    newValues: [] as number[],
    oldValues: [] as number[],
  };
  for (let e = from + 1; e <= to; e++) {
    sim.run((ev, t) => world.fleet.handle(ev, t), e);
    const fresh = world.fleet.select((c) => c.isNew && c.environment === 'production');
    const old = world.fleet.select((c) => !c.isNew && c.environment === 'production');
    const a = world.sampler.point({ key: 'new', cohorts: fresh }, metric, e);
    const b = world.sampler.point({ key: 'old', cohorts: old }, metric, e);
    sum.newEvents += a.events;
    sum.newN += a.n;
    sum.oldEvents += b.events;
    sum.oldN += b.n;
    if (!Number.isNaN(a.value)) sum.newValues.push(a.value);
    if (!Number.isNaN(b.value)) sum.oldValues.push(b.value);
  }
  return sum;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('fault calibration through the world', () => {
  it('a good build with noise measures no effect', () => {
    const noisy = BASE.replace(
      'noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }',
      'noise: { hostErrorSd: 0, intervalErrorSd: 0.2, intervalLatencySd: 0.05, intervalConversionSd: 0.03 }',
    );
    const run = halfDeployed([], noisy);
    const m = measure(run, 'error_rate', run.t0, run.t0 + 1440);
    const diff = m.newEvents / m.newN - m.oldEvents / m.oldN;
    // Error rate 0.002 over ~7M requests a side: SE of the difference ≈ 2.4e-5 before overdispersion.
    expect(Math.abs(diff)).toBeLessThan(3e-4);
  });

  it('+2 pp errors measures +2 pp within ±0.1 pp', () => {
    const run = halfDeployed([fault('error-rate', { add: 0.02 })]);
    const m = measure(run, 'error_rate', run.t0, run.t0 + 1440);
    const diffPp = 100 * (m.newEvents / m.newN - m.oldEvents / m.oldN);
    expect(Math.abs(diffPp - 2)).toBeLessThan(0.1);
  });

  it('×3 errors measures three times the old error rate', () => {
    const run = halfDeployed([fault('error-rate', { multiply: 3 })]);
    const m = measure(run, 'error_rate', run.t0, run.t0 + 1440);
    expect(m.newEvents / m.newN / (m.oldEvents / m.oldN)).toBeCloseTo(3, 1);
  });

  it('a 1.5× median latency regression measures 1.5× at p50', () => {
    const run = halfDeployed([fault('latency', { medianMultiplier: 1.5 })]);
    const m = measure(run, 'latency_p50', run.t0, run.t0 + 600);
    expect(mean(m.newValues) / mean(m.oldValues)).toBeCloseTo(1.5, 2);
  });

  it('a −5% conversion drop measures −5% of checkouts per session', () => {
    const run = halfDeployed([fault('conversion-drop', { dropPct: 5 })]);
    const m = measure(run, 'conversion_rate', run.t0, run.t0 + 2880);
    const ratio = m.newEvents / m.newN / (m.oldEvents / m.oldN);
    // ≈ 24k checkouts a side: SE of the ratio ≈ 0.009.
    expect(Math.abs(ratio - 0.95)).toBeLessThan(0.03);
  });

  it('a crash loop measures its crash rate', () => {
    const run = halfDeployed([fault('crash-loop', { crashesPerHostHour: 12, downShare: 0.5 })]);
    const m = measure(run, 'crash_count', run.t0, run.t0 + 600);
    // 10 hosts × 12 per hour × 10 h = 1200 expected, plus the baseline's 0.001 per host-hour.
    expect(Math.abs(m.newEvents - 1200)).toBeLessThan(5 * Math.sqrt(1200));
  });

  it('a memory leak restarts hosts when the closed form says, and memory resets', () => {
    // 1000 requests/min per host; (2048 − 600) MB at 20 000 B per request = 75 917 requests.
    const run = halfDeployed([fault('memory-leak', { bytesPerRequest: 20000 })]);
    measure(run, 'memory', run.t0, run.t0 + 200);
    const cohort = run.world.fleet.select((c) => c.isNew)[0]!;
    const oomAfter = ((2048 - 600) * 2 ** 20) / 20000 / 1000;
    expect(cohort.restarts[0]! - run.t0).toBeCloseTo(oomAfter, 3);
  });

  it('staging cannot show a fault gated on production load', () => {
    const gated = fault('error-rate', { add: 0.05, minLoadShare: 0.5 });
    const world = makeWorld(BASE, [gated], new Simulator<FleetEvent>(0));
    world.fleet.deploy('staging', 0, 2, 11000);
    const staging = {
      key: 's',
      cohorts: world.fleet.select((c) => c.isNew && c.environment === 'staging'),
    };
    let errors = 0;
    let n = 0;
    for (let e = 11001; e <= 11600; e++) {
      const p = world.sampler.point(staging, 'error_rate', e);
      errors += p.events;
      n += p.n;
    }
    expect(errors / n).toBeLessThan(0.005);
  });
});
