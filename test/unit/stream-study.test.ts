import { describe, expect, it } from 'vitest';
import {
  crossoverPoint,
  estimate,
  renderStreamJson,
  renderStreamMarkdown,
  runStreamStudy,
  t95,
} from '../../src/stream/index.js';
import type { DeployRecord } from '../../src/stream/index.js';
import { policy, scenario } from '../helpers/configs.js';

describe('estimate', () => {
  it("gives the mean with Student's t interval (t table: 2.262 at 9 df, 2.042 at 30)", () => {
    expect(t95(9)).toBe(2.262);
    expect(t95(30)).toBe(2.042);
    expect(t95(1000)).toBe(1.96);
    // 1…10: mean 5.5, sd √(55/6); half-width 2.262 × sd / √10.
    const e = estimate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, undefined]);
    const half = 2.262 * Math.sqrt(55 / 6 / 10);
    expect(e.n).toBe(10);
    expect(e.mean).toBe(5.5);
    expect(e.low).toBeCloseTo(5.5 - half, 12);
    expect(e.high).toBeCloseTo(5.5 + half, 12);
    expect(estimate([])).toEqual({ mean: null, low: null, high: null, n: 0 });
    expect(estimate([3])).toEqual({ mean: 3, low: null, high: null, n: 1 });
  });
});

describe('crossoverPoint', () => {
  const pts = (impacts: number[]) =>
    impacts.map((impact, i) => ({ flaky: i * 0.1, impact, falseAlarmRate: 0.5 + i * 0.1 }));

  it('interpolates where the impact first reaches the reference', () => {
    const c = crossoverPoint(pts([10, 20, 40, 30]), 30);
    expect(c.flaky).toBeCloseTo(0.15, 12);
    expect(c.falseAlarmRate).toBeCloseTo(0.65, 12);
  });

  it('is the first point when already at or above it, and null when never', () => {
    expect(crossoverPoint(pts([50, 60]), 30).flaky).toBe(0);
    expect(crossoverPoint(pts([10, 20]), 30)).toEqual({ flaky: null, falseAlarmRate: null });
    expect(crossoverPoint(pts([10, 20]), null)).toEqual({ flaky: null, falseAlarmRate: null });
  });
});

/** Working days 9–17, one region, fixed-size error faults; a look finds a bad change 80% of the time. */
const WORLD = `
description: crossover world
fleet:
  regions:
    - { name: main, trafficShare: 1, hosts: 20, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [mon, tue, wed, thu, fri], fromHour: 9, toHour: 17, region: main }
builds:
  badShare: 0.2
  bad:
    - { name: errors, weight: 1, faults: [{ kind: error-rate, add: 0.02 }] }
stream: { changesPerDay: 8, fixProbability: 0.8 }
`;

/** A slow canary: a one-box judged on errors for three hours. */
const SLOW_CANARY = `
description: slow canary
stages:
  - name: canary
    target: { kind: hosts, region: main, count: 2 }
    bake: 3h
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.004 }, interval: 5m }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
`;

const NO_GATE = `
description: no gate
stages:
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`;

describe('the crossover sweep', () => {
  it('runs each fatigue curve against the reference on the same streams, overriding more as the curve steepens', async () => {
    const r = await runStreamStudy({
      scenarios: [scenario(WORLD, 'crossover-world')],
      // The reference is found by what the policy does (no check after CI), not by its name.
      policies: [policy(SLOW_CANARY, 'slow-canary'), policy(NO_GATE, 'ship-on-green')],
      weeks: 4,
      streams: 8,
      seed: 1,
      workers: 1,
      crossover: 'slow-canary',
    });
    const c = r.scenarios[0]!.crossover!;
    expect(c.reference).toBe('ship-on-green');
    expect(c.curves.map((k) => k.label)).toEqual([
      'no overrides',
      "scenario's (steepness 1)",
      'steeper (steepness 3)',
    ]);
    expect(c.streams).toBe(8);
    // Without overrides nobody overrides; a steeper curve overrides more at every flaky share
    // that stops anything (the override draws are shared, so this holds stream by stream).
    expect(c.curves[0]!.points.every((p) => p.overrideRate.mean === 0)).toBe(true);
    for (let i = 1; i < c.curves[1]!.points.length; i++)
      expect(c.curves[2]!.points[i]!.overrideRate.mean!).toBeGreaterThan(
        c.curves[1]!.points[i]!.overrideRate.mean!,
      );
    // The crossover's direction: a steeper curve costs the gated pipeline more failed requests
    // at every flaky share (overrides ship the bad changes a look missed), so any reference
    // level the scenario's curve reaches, the steeper one reaches at the same flaky share or a
    // smaller one. (No overrides is cheapest of all.)
    const impact = c.curves.map((k) => k.points.map((p) => p.failedRequestsPerWeek.mean!));
    for (let i = 0; i < impact[0]!.length; i++) {
      expect(impact[1]![i]!).toBeGreaterThan(impact[0]![i]!);
      expect(impact[2]![i]!).toBeGreaterThan(impact[1]![i]!);
    }
    const crossAt = (k: number, level: number) =>
      crossoverPoint(
        c.curves[k]!.points.map((p) => ({
          flaky: p.flaky,
          impact: p.failedRequestsPerWeek.mean,
          falseAlarmRate: p.falseAlarmRate.mean,
        })),
        level,
      ).flaky;
    for (const level of impact[1]!)
      expect(crossAt(2, level)!).toBeLessThanOrEqual(crossAt(1, level)!);
    // More flaky stops, more false alarms as the team experiences them.
    const fa = c.curves[0]!.points.map((p) => p.falseAlarmRate.mean!);
    for (let i = 1; i < fa.length; i++) expect(fa[i]).toBeGreaterThan(fa[i - 1]!);
    // The crossover is where the means cross, as crossoverPoint computes it from the points.
    for (const k of c.curves) {
      const again = crossoverPoint(
        k.points.map((p) => ({
          flaky: p.flaky,
          impact: p.failedRequestsPerWeek.mean,
          falseAlarmRate: p.falseAlarmRate.mean,
        })),
        k.reference.mean,
      );
      expect(k.crossoverFlaky).toBe(again.flaky);
    }
    // The reports name the swept policy.
    const md = renderStreamMarkdown(r);
    expect(md).toContain('slow-canary');
    // Each policy's first deploy of each kind to replay is that kind, and the first of it.
    const table = md.slice(md.indexOf('### Deploys to replay'));
    const kinds: [string, (d: DeployRecord) => boolean][] = [
      [
        'a good batch stopped',
        (d) => d.kind === 'gated' && !d.bad && ['blocked', 'rolled-back'].includes(d.final),
      ],
      [
        'a bad batch through the gates',
        (d) => d.kind === 'gated' && d.bad && d.final === 'shipped',
      ],
      ['a bad batch shipped by override', (d) => d.kind === 'override' && d.bad],
    ];
    const header = table
      .split('\n')
      .find((l) => l.startsWith('| policy'))!
      .split(' | ');
    for (const { policy: name, rows } of r.deploys) {
      const line = table.split('\n').find((l) => l.startsWith(`| ${name} |`))!;
      const cells = line.split(' | ');
      for (const [kind, is] of kinds) {
        const cell = cells[header.findIndex((h) => h.replace(/ \|$/, '') === kind)]!.replace(
          / \|$/,
          '',
        );
        const first = rows.find(is);
        expect(cell, `${name}: ${kind}`).toBe(
          first === undefined ? '–' : `stream ${first.stream} deploy ${first.deploy}`,
        );
      }
    }
    expect(table).toMatch(/\| slow-canary \| stream \d+ deploy \d+ \|/);
    expect(JSON.parse(renderStreamJson(r)).scenarios[0].crossover.policy).toBe('slow-canary');
  });

  it('has no sweep without the reference policy, and says why', async () => {
    const r = await runStreamStudy({
      scenarios: [scenario(WORLD, 'crossover-world')],
      policies: [policy(SLOW_CANARY, 'slow-canary')],
      weeks: 1,
      streams: 2,
      seed: 1,
      workers: 1,
    });
    expect(r.scenarios[0]!.crossover).toBeUndefined();
    expect(r.scenarios[0]!.crossoverNote).toMatch(/every policy gates after CI/);
  });
});
