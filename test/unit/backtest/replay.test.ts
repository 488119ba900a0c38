/**
 * The replay walks a policy with the executor's semantics; every expected time below is
 * worked out by hand from those semantics (docs/import.md: Argo's failureLimit, count,
 * inconclusive, from analysis/analysis.go; Flagger's threshold, from scheduler.go) and the policy in each test.
 */
import { describe, expect, it } from 'vitest';
import { replayDeploy, typicalDelay } from '../../../src/backtest/replay.js';
import type { RecordedMetrics, RecordedDeploy } from '../../../src/backtest/inputs.js';
import { toMinutes } from '../../../src/backtest/time.js';
import { JUDGES } from '../../../src/judges/index.js';
import type { JudgeModel } from '../../../src/judges/types.js';
import type { PolicyConfig } from '../../../src/policy/types.js';
import {
  START,
  check,
  deployOf,
  metricsCsv,
  metricsOf,
  policy,
  spyJudge,
  stage,
  type SeriesSpec,
} from './helpers.js';

const S = toMinutes(START)!;
const rel = (ts: readonly number[] | undefined): number[] =>
  (ts ?? []).map((t) => Math.round((t - S) * 1000) / 1000);

const plainDeploy = `deploy,start,version\nd1,${START},v2\n`;

async function replay(
  p: PolicyConfig,
  series: readonly SeriesSpec[],
  options: {
    deploy?: string;
    judges?: Record<string, JudgeModel>;
    sideColumn?: string;
    utcOffsets?: Record<string, number>;
  } = {},
) {
  const metrics: RecordedMetrics = await metricsOf(metricsCsv(series, options.sideColumn));
  const deploy: RecordedDeploy = await deployOf(options.deploy ?? plainDeploy);
  return replayDeploy({
    policy: p,
    metrics,
    deploy,
    step: 1,
    judges: options.judges ?? JUDGES,
    ...(options.utcOffsets !== undefined ? { utcOffsets: options.utcOffsets } : {}),
  });
}

const healthy: SeriesSpec[] = [
  { side: 'canary', from: -60, to: 300, value: () => 0.001 },
  { side: 'baseline', group: 'h9', from: -60, to: 300, value: () => 0.001 },
];

describe('stages, bakes and windows', () => {
  it('measures every interval until the bake ends, then promotes (bake-done comes before a measurement due at the same time)', async () => {
    const spy = spyJudge();
    const p = policy({
      stages: [
        stage({ checks: [check({ judge: { kind: 'spy', params: {} } })] }),
        stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 0, checks: [] }),
      ],
    });
    const d = await replay(p, healthy, { judges: { spy: spy.model } });
    // Measurements at 5, 10, 15, 20, 25; the bake ends at 30 and stops the run first.
    expect(d.measurements.map((m) => m.after)).toEqual([5, 10, 15, 20, 25]);
    expect(rel(spy.seen[0]!.canary)).toEqual([1, 2, 3, 4, 5]);
    expect(rel(spy.seen[1]!.canary)).toEqual([6, 7, 8, 9, 10]);
    expect(d.final).toBe('shipped');
    expect(d.shippedAt).toBe(30);
  });

  it('a traffic weight reads the recorded canary rows of every region at once (no deploy to wait for)', async () => {
    const spy = spyJudge();
    const p = policy({
      stages: [
        stage({
          name: 'w10',
          target: { kind: 'traffic', weight: 0.1 },
          bake: 10,
          checks: [check({ judge: { kind: 'spy', params: {} }, scope: 'stage' })],
        }),
        stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 0, checks: [] }),
      ],
    });
    const d = await replay(p, healthy, { judges: { spy: spy.model } });
    expect(d.measurements.map((m) => m.after)).toEqual([5]);
    expect(rel(spy.seen[0]!.canary)).toEqual([1, 2, 3, 4, 5]);
    expect(d.final).toBe('shipped');
    expect(d.shippedAt).toBe(10);
  });

  it('cumulative windows start at initialDelay; lookback windows reach back a fixed span', async () => {
    const spy = spyJudge();
    const p = policy({
      stages: [
        stage({
          checks: [
            check({
              name: 'cum',
              judge: { kind: 'spy', params: {} },
              window: 'cumulative',
              initialDelay: 10,
            }),
            check({ name: 'look', judge: { kind: 'spy', params: {} }, window: 15 }),
          ],
        }),
        stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 0, checks: [] }),
      ],
    });
    const d = await replay(p, healthy, { judges: { spy: spy.model } });
    const byCheck = (name: string) =>
      d.measurements.map((m, i) => ({ m, seen: spy.seen[i]! })).filter((x) => x.m.check === name);
    const cum = byCheck('cum');
    expect(cum.map((x) => x.m.after)).toEqual([15, 20, 25]);
    expect(rel(cum[0]!.seen.canary)).toEqual([11, 12, 13, 14, 15]);
    expect(rel(cum[1]!.seen.canary)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const look = byCheck('look');
    // At 20 a 15-minute lookback sees (5, 20].
    expect(rel(look[3]!.seen.canary)).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ]);
  });

  it('waits for a deploy window: Friday 20:00 UTC waits until Monday 09:00 in the region’s local time', async () => {
    const friday = '2024-01-05T20:00:00Z';
    const p = policy({
      stages: [
        stage({
          checks: [check({ onMissingData: 'pass' })],
          deployWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], fromHour: 9, toHour: 17 }],
        }),
        stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 0, checks: [] }),
      ],
    });
    const utc = await replay(p, healthy, { deploy: `deploy,start,version\nd1,${friday},v2\n` });
    // Friday 20:00 → Monday 09:00 is 61 hours.
    expect(utc.measurements[0]!.after).toBe(61 * 60 + 5);
    expect(utc.timeline.some((e) => e.kind === 'window-wait')).toBe(true);
    const tokyo = await replay(p, healthy, {
      deploy: `deploy,start,version\nd1,${friday},v2\n`,
      utcOffsets: { eu: 9 },
    });
    // At UTC+9 it is already Saturday 05:00; Monday 09:00 there is Monday 00:00 UTC, 52 h on.
    expect(tokyo.measurements[0]!.after).toBe(52 * 60 + 5);
  });

  it('skips a staging stage when the recording has no staging rows', async () => {
    const p = policy({
      stages: [
        stage({ name: 'staging', target: { kind: 'staging' }, bake: 60 }),
        ...policy().stages,
      ],
    });
    const d = await replay(p, healthy);
    expect(d.timeline[0]!.message).toMatch(/staging.*skipped/);
    expect(d.measurements[0]!.after).toBe(5);
    expect(d.shippedAt).toBe(30);
  });

  it('a stage waits until the recording has its hosts on the new version; each stage reads its own groups', async () => {
    // h1 takes v2 at +20, h2 at +40. Stage one (one host of eu) is deployed at +20 and reads
    // only h1 (healthy); the fleet stage needs h2 (there by +40) and starts at 20 + 30 = 50; its
    // check sees h1 and h2 pooled: (1 + 50)/2000 = 0.0255 > 0.02, failing at 55.
    const p = policy({
      stages: [
        stage(),
        stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 30, checks: [check()] }),
      ],
    });
    const series: SeriesSpec[] = [
      { side: 'canary', group: 'h1', from: 0, to: 200, value: () => 0.001 },
      { side: 'canary', group: 'h2', from: 0, to: 200, value: () => 0.05 },
    ];
    const deploy =
      'deploy,start,version,region,group,deployed_at\n' +
      `d1,${START},v2,eu,h1,2024-01-02T10:20:00Z\n` +
      `d1,,,eu,h2,2024-01-02T10:40:00Z\n`;
    const d = await replay(p, series, { deploy });
    const first = d.measurements[0]!;
    expect([first.after, first.verdict, first.canaryN]).toEqual([25, 'pass', 5000]);
    expect(d.final).toBe('rolled-back');
    expect(d.decidedAt).toBe(55);
    expect(d.detectedBy).toBe('errors');
    const last = d.measurements[d.measurements.length - 1]!;
    expect([last.stage, last.canaryN, last.figures.value]).toEqual(['all', 10000, 0.0255]);
  });
});

describe('run semantics (Argo and Flagger, via CheckRunCounter)', () => {
  const bad: SeriesSpec[] = [
    { side: 'canary', from: -60, to: 6, value: () => 0.001 },
    { side: 'canary', from: 7, to: 300, value: () => 0.05 },
  ];

  it('failureLimit 1 rolls back on the second failed measurement', async () => {
    const p = policy({
      stages: [stage({ checks: [check({ failureLimit: 1 })] }), ...policy().stages.slice(1)],
    });
    const d = await replay(p, bad);
    // 5: (0,5] all 0.001 → pass; 10: 8 of 1000 + … fails; 15 fails again → the run fails.
    expect(d.measurements.map((m) => [m.after, m.verdict, m.phase])).toEqual([
      [5, 'pass', 'running'],
      [10, 'fail', 'running'],
      [15, 'fail', 'failed'],
    ]);
    expect([d.final, d.decidedAt, d.detectedBy]).toEqual(['rolled-back', 15, 'errors']);
  });

  it('Flagger failedChecksThreshold counts failures that passes never reset', async () => {
    const flaky: SeriesSpec[] = [
      { side: 'canary', from: 0, to: 5, value: () => 0.05 },
      { side: 'canary', from: 6, to: 10, value: () => 0.001 },
      { side: 'canary', from: 11, to: 300, value: () => 0.05 },
    ];
    const p = policy({
      stages: [
        stage({ checks: [check({ failedChecksThreshold: 2 })] }),
        ...policy().stages.slice(1),
      ],
    });
    const d = await replay(p, flaky);
    expect(d.measurements.map((m) => m.verdict)).toEqual(['fail', 'pass', 'fail']);
    // Flagger tests the count at the start of its next interval (scheduler.go, advanceCanary).
    expect(d.decidedAt).toBe(20);
  });

  it('a run with a count blocks promotion until its last measurement', async () => {
    const p = policy({
      stages: [stage({ checks: [check({ count: 10 })] }), ...policy().stages.slice(1)],
    });
    const d = await replay(p, healthy);
    expect(d.measurements.length).toBe(10);
    expect(d.shippedAt).toBe(50);
  });

  it('a dry-run check is measured and recorded but never decides', async () => {
    const p = policy({
      stages: [stage({ checks: [check({ dryRun: true })] }), ...policy().stages.slice(1)],
    });
    const d = await replay(p, bad);
    expect(d.measurements.some((m) => m.verdict === 'fail' && m.dryRun)).toBe(true);
    expect(d.final).toBe('shipped');
  });

  it('missing data follows onMissingData; inconclusive pauses for the median resume time', async () => {
    const onlyBaseline: SeriesSpec[] = [healthy[1]!];
    const inconclusive = await replay(policy(), onlyBaseline);
    // 5: no canary rows → inconclusive (limit 0) → pause 60 min (lognormal median) → 65.
    expect(inconclusive.measurements[0]!.reason).toMatch(/no data for the new hosts/);
    expect(inconclusive.timeline.find((e) => e.kind === 'pause')!.t).toBe(5);
    expect(inconclusive.shippedAt).toBe(65);
    const failClosed = await replay(
      policy({
        stages: [
          stage({ checks: [check({ onMissingData: 'fail' })] }),
          ...policy().stages.slice(1),
        ],
      }),
      onlyBaseline,
    );
    expect([failClosed.final, failClosed.decidedAt]).toEqual(['rolled-back', 5]);
    const abort = await replay(policy({ onInconclusive: 'abort' }), onlyBaseline);
    expect([abort.final, abort.decidedAt]).toEqual(['rolled-back', 5]);
  });

  it('a sample below minSample is inconclusive', async () => {
    const p = policy({
      stages: [stage({ checks: [check({ minSample: 6000 })] }), ...policy().stages.slice(1)],
    });
    const d = await replay(p, healthy);
    expect(d.measurements[0]!.reason).toBe('sample 5000 below minSample 6000');
    expect(d.measurements[0]!.verdict).toBe('inconclusive');
  });

  it('the watch after 100% can still roll back', async () => {
    const late: SeriesSpec[] = [
      { side: 'canary', from: 0, to: 39, value: () => 0.001 },
      { side: 'canary', from: 40, to: 300, value: () => 0.05 },
    ];
    const d = await replay(
      policy({ watch: { duration: 60, checks: [check({ name: 'watch' })] } }),
      late,
    );
    // Shipped at 30; watch looks at 35 (pass), 40 (one bad point in five: 54/5000 pass), 45 (fail).
    expect(d.shippedAt).toBe(30);
    expect(d.measurements.filter((m) => m.stage === 'watch').map((m) => m.verdict)).toEqual([
      'pass',
      'pass',
      'fail',
    ]);
    expect([d.final, d.decidedAt, d.detectedBy]).toEqual(['rolled-back', 45, 'watch']);
  });

  it('a perRegion watch check reads each region alone: a fault in the small region is not diluted', async () => {
    // us serves a tenth of the requests and fails 5% of them from +40: 0.6% fleet-wide.
    const split: SeriesSpec[] = [
      { region: 'eu', side: 'canary', from: 0, to: 300, value: () => 0.001, n: 9000 },
      { region: 'us', side: 'canary', from: 0, to: 39, value: () => 0.001, n: 1000 },
      { region: 'us', side: 'canary', from: 40, to: 300, value: () => 0.05, n: 1000 },
    ];
    const watched = (perRegion: boolean) =>
      policy({ watch: { duration: 60, checks: [check({ name: 'slo', perRegion })] } });
    const fleetWide = await replay(watched(false), split);
    expect(fleetWide.final).toBe('shipped');
    const byRegion = await replay(watched(true), split);
    expect([byRegion.final, byRegion.detectedBy]).toEqual(['rolled-back', 'slo[us]']);
    const names = new Set(byRegion.measurements.map((m) => m.check));
    expect(names).toEqual(new Set(['errors', 'slo[eu]', 'slo[us]']));
  });
});

describe('which hosts a check reads', () => {
  const WEEK = 10080;
  // eu/h1 runs v1 until the deploy and v2 after; eu/h2 and us/h3 stay on v1. Last week h1's
  // error rate was 0.003, a value no other row has.
  const versions: SeriesSpec[] = [
    { group: 'h1', side: 'v1', from: -WEEK - 10, to: -WEEK + 60, value: () => 0.003 },
    { group: 'h1', side: 'v1', from: -90, to: 0, value: () => 0.001 },
    { group: 'h1', side: 'v2', from: 1, to: 200, value: () => 0.001 },
    { group: 'h2', side: 'v1', from: -90, to: 200, value: () => 0.001 },
    { region: 'us', group: 'h3', side: 'v1', from: -90, to: 200, value: () => 0.001 },
  ];

  it('with a version column: canary = the deploy’s version, baseline = other versions in its region (or the fleet)', async () => {
    for (const [scope, baselineN] of [
      ['region', 5000],
      ['fleet', 10000],
    ] as const) {
      const spy = spyJudge();
      const p = policy({
        stages: [
          stage({
            checks: [
              check({
                judge: { kind: 'spy', params: {} },
                compare: 'baseline',
                baselineScope: scope,
              }),
            ],
          }),
          ...policy().stages.slice(1),
        ],
      });
      await replay(p, versions, { judges: { spy: spy.model }, sideColumn: 'version' });
      const first = spy.seen[0]!;
      expect(rel(first.canary)).toEqual([1, 2, 3, 4, 5]);
      expect(first.canaryN).toBe(5000);
      expect(first.baselineN).toBe(baselineN);
      // Before: the same host's own rows in the hour before the deploy (its old version).
      expect(rel(first.before)).toEqual(Array.from({ length: 60 }, (_, i) => i - 59));
      // Seasonal: the same host a week earlier.
      expect(first.seasonal).toEqual([0.003, 0.003, 0.003, 0.003, 0.003]);
    }
  });

  it('scope all reads every production host whatever its version', async () => {
    const spy = spyJudge(undefined, { baseline: 'none', seasonal: false, before: false });
    const p = policy({
      stages: [
        stage({ checks: [check({ judge: { kind: 'spy', params: {} }, scope: 'all' })] }),
        ...policy().stages.slice(1),
      ],
    });
    await replay(p, versions, { judges: { spy: spy.model }, sideColumn: 'version' });
    expect(spy.seen[0]!.canaryN).toBe(15000);
  });
});

describe('typicalDelay', () => {
  it('is the median of each distribution', () => {
    expect(typicalDelay({ kind: 'fixed', minutes: 12 })).toBe(12);
    expect(typicalDelay({ kind: 'lognormal', medianMinutes: 30, sigma: 0.8 })).toBe(30);
    // Exponential median = mean · ln 2.
    expect(typicalDelay({ kind: 'exponential', meanMinutes: 100 })).toBeCloseTo(69.3147, 4);
  });
});
