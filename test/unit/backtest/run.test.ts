/**
 * The committed fixture (test/fixtures/backtest, README there) replayed through
 * one-box-then-fleet.yaml. Every decision below is worked out by hand from the policy:
 * one-box = 1 host of eu (h1), a 2% threshold every 5 min with failureLimit 1 and minSample
 * 1000 (one 5-minute row has n = 1000), bake 30 min; then the fleet, which the recording has
 * on the new version at +35 (h2, h3); then a 30-minute watch measuring every 10 min.
 *
 * - d1 healthy: one-box passes at 5…25; the bake ends at 30 (before the measurement due at 30);
 *   the fleet waits for h2/h3 (+35), ships at 35; the watch passes at 45 and 55 and ends at 65.
 * - d2: h1 has 5% errors from the row at +15: pass 5, 10; fail 15, 20 → two failures > limit 1
 *   → rolled back at +20 (caused an incident: a bad build stopped).
 * - d3: 3% errors on every new host from +50: shipped at 35; watch at 45 reads the rows at 40
 *   and 45 (pass); at 55 reads 50 and 55 (3%) → fail, limit 0 → rolled back at +55 (no
 *   incident: a good build blocked).
 * - d4: 1.5% errors throughout, under the 2% threshold: shipped at 35 and watched clean
 *   (caused an incident: a bad build shipped).
 * - d5: h1's rows are missing for +5…+30: the first measurement has no data → inconclusive
 *   (limit 0) → paused for the median resume time (1 h) → resumed at 65 past the bake →
 *   fleet already on the new version → shipped at 65, watch passes at 75 and 85.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest, writeBacktestReport } from '../../../src/backtest/index.js';
import { parseCsvObjects } from '../report/csv-parse.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'backtest');
const files = {
  metrics: join(FIXTURE, 'metrics.csv'),
  deploys: join(FIXTURE, 'deploys.csv'),
  policy: join(FIXTURE, 'one-box-then-fleet.yaml'),
  incidents: join(FIXTURE, 'incidents.csv'),
};

describe('backtest of the fixture', async () => {
  const result = await runBacktest(files);

  it('decides each deploy as worked out by hand', () => {
    expect(
      result.decisions.map((d) => [d.deploy, d.final, d.decidedAt, d.shippedAt, d.detectedBy]),
    ).toEqual([
      ['d1', 'shipped', undefined, 35, undefined],
      ['d2', 'rolled-back', 20, undefined, 'errors'],
      ['d3', 'rolled-back', 55, 35, 'watch-errors'],
      ['d4', 'shipped', undefined, 35, undefined],
      ['d5', 'shipped', undefined, 65, undefined],
    ]);
    expect(
      result.decisions[1]!.measurements.map((m) => [m.after, m.verdict, m.figures.value]),
    ).toEqual([
      [5, 'pass', 0.001],
      [10, 'pass', 0.001],
      [15, 'fail', 0.05],
      [20, 'fail', 0.05],
    ]);
    expect(result.decisions[4]!.measurements[0]!.reason).toMatch(/no data for the new hosts/);
    expect(result.outcomes).toEqual({ shipped: 3, 'rolled-back': 2, blocked: 0, stalled: 0 });
  });

  it('scores shipped-bad and blocked-good with Wilson intervals (closed forms by hand)', () => {
    const f = result.figures!;
    // Bad: d2 (stopped), d4 (shipped) → 1 of 2. Wilson 95% for 1/2: centre 0.5, half-width
    // 1.96/(1 + 1.96²/2)·√(0.25/2 + 1.96²/16) = 0.40547 → (0.0945, 0.9055).
    expect([f.shippedBad.count, f.shippedBad.of]).toEqual([1, 2]);
    expect(f.shippedBad.lo).toBeCloseTo(0.0945, 4);
    expect(f.shippedBad.hi).toBeCloseTo(0.9055, 4);
    // Good: d1, d5 shipped; d3 rolled back → 1 of 3. Wilson: centre (1/3 + 1.96²/6)/(1 + 1.96²/3)
    // = 0.42691, half-width 0.36542 → (0.0615, 0.7923).
    expect([f.blockedGood.count, f.blockedGood.of]).toEqual([1, 3]);
    expect(f.blockedGood.lo).toBeCloseTo(0.0615, 4);
    expect(f.blockedGood.hi).toBeCloseTo(0.7923, 4);
    expect([f.timeToDetectMin.n, f.timeToDetectMin.p50]).toEqual([1, 20]);
    expect([f.leadTimeMin.n, f.leadTimeMin.p50]).toEqual([2, 50]);
  });

  it('reads the recording’s regions and step', () => {
    expect(result.regions).toEqual(['eu', 'us']);
    expect(result.stepMinutes).toBe(5);
    expect(result.rows).toEqual({ read: 459, kept: 459 });
  });

  it('writes the summary JSON, decisions and measurements CSVs and the Markdown report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatesim-backtest-'));
    await writeBacktestReport(result, dir);
    const decisions = parseCsvObjects(readFileSync(join(dir, 'decisions.csv'), 'utf8'));
    expect(decisions.map((d) => [d.deploy, d.decision, d.decided_at, d.incident])).toEqual([
      ['d1', 'shipped', '', 'false'],
      ['d2', 'rolled-back', '2024-01-03T10:20:00Z', 'true'],
      ['d3', 'rolled-back', '2024-01-04T10:55:00Z', 'false'],
      ['d4', 'shipped', '', 'true'],
      ['d5', 'shipped', '', 'false'],
    ]);
    const measurements = parseCsvObjects(readFileSync(join(dir, 'measurements.csv'), 'utf8'));
    // 7 + 4 + 7 + 7 + 3 measurements.
    expect(measurements).toHaveLength(28);
    expect(measurements[10]).toMatchObject({
      deploy: 'd2',
      time: '2024-01-03T10:20:00Z',
      verdict: 'fail',
      phase: 'failed',
      canary_n: '1000',
    });
    expect(JSON.parse(measurements[10]!.figures!)).toMatchObject({ value: 0.05, max: 0.02 });
    const summary = JSON.parse(readFileSync(join(dir, 'backtest-summary.json'), 'utf8'));
    expect(summary.figures.shippedBad.count).toBe(1);
    expect(summary.decisions[2].startTime).toBe('2024-01-04T10:00:00Z');
    const md = readFileSync(join(dir, 'backtest.md'), 'utf8');
    expect(md).toContain('| shipped bad | 50.0% (9.5–90.5%) | 1/2 |');
    expect(md).toContain(
      '| d2 | v3 | 2024-01-03T10:00:00Z | rolled-back | 20 min | errors | error\\_rate 0.05 \\(max 0.02\\): outside range | yes |',
    );
  });
});
