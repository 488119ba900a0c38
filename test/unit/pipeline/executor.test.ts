import { describe, expect, it } from 'vitest';
import { runTrial } from '../../../src/pipeline/executor.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

const ONE_BOX_THEN_ALL = `
stages:
  - name: one-box
    target: { kind: hosts, region: main, count: 1 }
    bake: 10m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.05 }, interval: 1m }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
`;

function run(scenarioText: string, policyText: string, trials: number, seed = 1) {
  const s = scenario(scenarioText);
  const p = policy(policyText);
  return Array.from(
    { length: trials },
    (_, trial) => runTrial({ scenario: s, policy: p, seed, trial, timeline: true }).outcome,
  );
}

describe('pipeline executor on small worlds where the right decision is obvious', () => {
  it('records when the last check stopped on a build that stays: the watch’s end, or the shipping without one', () => {
    const watched = `${ONE_BOX_THEN_ALL}
watch:
  duration: 2h
  checks:
    - { name: slo, metric: error_rate, judge: { kind: threshold, max: 0.5 }, interval: 5m }
`;
    for (const o of run(QUIET_SCENARIO, watched, 5)) {
      expect(o.final).toBe('shipped');
      expect(o.checksEndedAt).toBeCloseTo(o.shippedAt! + 120, 9);
    }
    for (const o of run(QUIET_SCENARIO, ONE_BOX_THEN_ALL, 5))
      expect(o.checksEndedAt).toBeCloseTo(o.shippedAt!, 9);
  });

  it('catches a crash loop at the first stage', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: crash, weight: 1, faults: [ { kind: crash-loop, crashesPerHostHour: 30, downShare: 0.5 } ] } ] }`,
    );
    for (const o of run(text, ONE_BOX_THEN_ALL, 10)) {
      expect(o.build.bad).toBe(true);
      expect(o.final).toBe('rolled-back');
      expect(o.stageReached).toBe('one-box');
      expect(o.detectedBy).toBe('errors');
      expect(o.decidedAt).toBeLessThan(15);
      expect(o.rollbackSucceeded).toBe(true);
      expect(o.shippedAt).toBeUndefined();
    }
  });

  it('never blocks a good build when there is no noise beyond sampling', () => {
    const text = withBuilds(QUIET_SCENARIO, `builds: { badShare: 0, bad: [] }`);
    const p = `
stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    bake: 30m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 1m }
      - { name: vs-baseline, metric: error_rate, judge: { kind: relative, mode: ratio, maxIncrease: 1 }, compare: baseline, interval: 5m }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
watch:
  duration: 1h
  checks:
    - { name: slo, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 5m }
`;
    const outcomes = run(text, p, 40);
    expect(outcomes.filter((o) => o.final !== 'shipped')).toEqual([]);
    for (const o of outcomes) expect(o.impact.failedRequests).toBe(0);
  });

  it('a leak that takes about two hours passes a 10-minute bake and is caught by a 2 h watch', () => {
    // 1000 req/min per host; (2048 − 600) MB / 20 kB per request ≈ 75.9k requests ≈ 76 min to OOM.
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: leak, weight: 1, faults: [ { kind: memory-leak, bytesPerRequest: 20000 } ] } ] }`,
    );
    const bakeOnly = run(text, ONE_BOX_THEN_ALL, 5);
    for (const o of bakeOnly) {
      expect(o.build.bad).toBe(true);
      expect(o.final).toBe('shipped');
      expect(o.escapeImpact.failedRequests).toBeGreaterThan(0);
    }
    const watched = run(
      text,
      `${ONE_BOX_THEN_ALL}
watch:
  duration: 2h
  checks:
    - { name: memory, metric: memory, judge: { kind: threshold, max: 1800 }, interval: 5m }
`,
      5,
    );
    for (const o of watched) {
      expect(o.final).toBe('rolled-back');
      expect(o.stageReached).toBe('watch');
      expect(o.detectedBy).toBe('memory');
      expect(o.decidedAt! - o.shippedAt!).toBeLessThan(120);
      expect(o.impact.failedRequests).toBeLessThan(bakeOnly[0]!.impact.failedRequests);
    }
  });

  it('a Flagger-style check at very low canary traffic counts missing data as failures and rolls back good builds', () => {
    // A region with 0.02% of traffic: its one canary host sees about one request every ten minutes.
    const text = `
description: low-traffic canary
fleet:
  regions:
    - { name: main, trafficShare: 0.9998, hosts: 20, utcOffsetHours: 0 }
    - { name: tiny, trafficShare: 0.0002, hosts: 2, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 1000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [tue], fromHour: 10, toHour: 11, region: main }
builds: { badShare: 0, bad: [] }
`;
    const flagger = `
stages:
  - name: canary
    target: { kind: hosts, region: tiny, count: 1 }
    bake: 10m
    checks:
      - name: request-success-rate
        metric: error_rate
        judge: { kind: threshold, max: 0.01 }
        interval: 1m
        failedChecksThreshold: 5
        onMissingData: fail
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
`;
    const outcomes = run(text, flagger, 20);
    const rolledBack = outcomes.filter((o) => o.final === 'rolled-back');
    expect(rolledBack.length).toBeGreaterThanOrEqual(18);
    for (const o of rolledBack) {
      expect(o.build.bad).toBe(false);
      const fails = o.timeline!.filter((e) => e.kind === 'measurement' && e.verdict === 'fail');
      expect(fails.length).toBe(5);
      expect(fails.some((e) => e.message.includes('no data'))).toBe(true);
    }
    // The same check with missing data treated as inconclusive-but-tolerated does not roll back.
    const lenient = run(text, flagger.replace('onMissingData: fail', 'onMissingData: pass'), 20);
    expect(lenient.every((o) => o.final === 'shipped')).toBe(true);
  });

  it('an Argo analysis with failureLimit 2 fails on the third failed measurement', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: errors, weight: 1, faults: [ { kind: error-rate, add: 0.05 } ] } ] }`,
    );
    const p = `
stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    bake: 30m
    checks:
      - { name: analysis, metric: error_rate, judge: { kind: threshold, max: 0.02 }, interval: 1m, failureLimit: 2 }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
`;
    for (const o of run(text, p, 5)) {
      const measured = o.timeline!.filter((e) => e.kind === 'measurement');
      // The first interval may straddle the deploy; whatever passes before, the run fails on the third failure.
      const verdicts = measured.map((e) => e.verdict);
      expect(verdicts.filter((v) => v === 'fail')).toHaveLength(3);
      expect(verdicts[verdicts.length - 1]).toBe('fail');
      expect(o.final).toBe('rolled-back');
    }
  });

  it('a rollback-breaking migration makes the rollback fail, an outcome of its own', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: broken, weight: 1, faults: [ { kind: error-rate, add: 0.05 }, { kind: rollback-breaker, mode: fail } ] } ] }`,
    );
    for (const o of run(text, ONE_BOX_THEN_ALL, 3)) {
      expect(o.final).toBe('rollback-failed');
      expect(o.rollbackAttempted).toBe(true);
      expect(o.rollbackSucceeded).toBe(false);
    }
    // A drill that always exposes it blocks the build before production.
    const drilled = run(
      text,
      `rollbackDrill: { duration: 30m, detectProbability: 1 }\n${ONE_BOX_THEN_ALL}`,
      3,
    );
    for (const o of drilled) {
      expect(o.final).toBe('blocked');
      expect(o.detectedBy).toBe('drill');
      expect(o.impact.failedRequests).toBe(0);
    }
  });

  it('a stage waits for its deploy window (no Friday afternoons)', () => {
    const text = withBuilds(QUIET_SCENARIO, `builds: { badShare: 0, bad: [] }`).replace(
      'days: [tue], fromHour: 10, toHour: 11',
      'days: [fri], fromHour: 16, toHour: 17',
    );
    const p = `
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
    deployWindows: [ { days: [mon, tue, wed, thu], fromHour: 9, toHour: 17 }, { days: [fri], fromHour: 9, toHour: 15 } ]
`;
    for (const o of run(text, p, 3)) {
      expect(o.final).toBe('shipped');
      // From Friday 16:xx to Monday 09:00 is about 65 hours.
      expect(o.shippedAt! / 60).toBeGreaterThan(63);
      expect(o.shippedAt! / 60).toBeLessThan(68);
    }
  });

  it('replays the same trial identically, and every policy sees the same build and start', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 0.5, bad: [ { name: errors, weight: 1, faults: [ { kind: error-rate, add: { min: 0.001, max: 0.05 } } ] } ] }`,
    );
    const a = run(text, ONE_BOX_THEN_ALL, 10, 7);
    const b = run(text, ONE_BOX_THEN_ALL, 10, 7);
    expect(b).toEqual(a);
    const other = run(
      text,
      `stages: [ { name: all, target: { kind: fleet, share: 1 }, bake: 0m } ]`,
      10,
      7,
    );
    other.forEach((o, i) => {
      expect(o.build).toEqual(a[i]!.build);
      expect(o.startAt).toBe(a[i]!.startAt);
    });
  });

  it('a perRegion watch alert catches a fault in a small region that the fleet-wide rate dilutes', () => {
    // A tenth of the traffic in a region where the build fails 5% of requests: 0.5% fleet-wide,
    // under the 2% alert; 5% in the region's own series, over it.
    const text = `
description: two regions, one small
fleet:
  regions:
    - { name: main, trafficShare: 0.9, hosts: 18, utcOffsetHours: 0 }
    - { name: small, trafficShare: 0.1, hosts: 2, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [tue], fromHour: 10, toHour: 11, region: main }
builds: { badShare: 1, bad: [ { name: regional, weight: 1, faults: [ { kind: error-rate, add: 0.05, regions: [small] } ] } ] }
`;
    const watched = (perRegion: boolean) => `
stages: [ { name: all, target: { kind: fleet, share: 1 }, bake: 0m } ]
watch:
  duration: 1h
  checks:
    - { name: slo, metric: error_rate, judge: { kind: threshold, max: 0.02 }, interval: 5m, window: 5m, perRegion: ${perRegion} }
`;
    for (const o of run(text, watched(false), 5)) expect(o.final).toBe('shipped');
    for (const o of run(text, watched(true), 5)) {
      expect(o.final).toBe('rolled-back');
      expect(o.detectedBy).toBe('slo[small]');
      expect(o.decidedAt! - o.shippedAt!).toBeLessThanOrEqual(10);
    }
  });

  it('refuses perRegion on a stage check: stages compare within regions already', () => {
    expect(() =>
      policy(`
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    checks: [ { name: slo, metric: error_rate, judge: { kind: threshold, max: 0.02 }, perRegion: true } ]
`),
    ).toThrow(/stages\[0\]\.checks\[0\]\.perRegion.*perRegion splits a watch check by region/s);
  });
});
