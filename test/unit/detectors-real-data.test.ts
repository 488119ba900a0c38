import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  evaluateDetectorsOnRealData,
  summarizeDetectors,
  type SeriesFigures,
} from '../../src/bench/real-data.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const REAL = join(repoRoot, 'data', 'real-metrics');

function figures(all: readonly SeriesFigures[], series: string, detector: string) {
  const s = all.find((x) => x.series.endsWith(series));
  if (s === undefined) throw new Error(`no series ${series}`);
  const d = s.detectors.find((x) => x.detector === detector);
  if (d === undefined) throw new Error(`no detector ${detector}`);
  return { ...d, points: s.points, anomalies: s.anomalies };
}

describe('the counting on a series whose answer is known', () => {
  // Three weeks of hourly counts alternating 990 / 1010 (same parity a week apart, so last
  // week matches exactly), with a labelled drop to 500 at hours 400–405.
  const root = mkdtempSync(join(tmpdir(), 'gatesim-detectors-'));
  const rows = ['TimeStamp,Value,Label'];
  for (let h = 0; h < 504; h++) {
    const t = new Date(Date.UTC(2018, 0, 1, h)).toISOString();
    const drop = h >= 400 && h <= 405;
    rows.push(`${t},${drop ? 500 : h % 2 === 0 ? 990 : 1010},${drop ? 1 : 0}`);
  }
  writeFileSync(join(root, 'synthetic.csv'), rows.join('\n') + '\n');
  const result = evaluateDetectorsOnRealData(root, {
    series: [
      {
        path: 'synthetic.csv',
        as: { kind: 'count', perStep: 1 },
        labels: 'label-column',
        about: 'synthetic',
      },
    ],
  })[0]!;

  it('finds the one labelled window and its six points', () => {
    expect(result.anomalies).toBe(1);
    expect(result.labelledPoints).toBe(6);
    expect(result.points).toBe(504);
  });

  it('every detector catches the drop; only trend alarms once more, on the recovery', () => {
    const by = Object.fromEntries(result.detectors.map((d) => [d.detector, d]));
    expect([by.trend!.caught, by['business-anomaly']!.caught, by.threshold!.caught]).toEqual([
      1, 1, 1,
    ]);
    expect([by['business-anomaly']!.outsideLabels, by.threshold!.outsideLabels]).toEqual([0, 0]);
    // The next check's pre-deploy reference (hours 396–407) holds the drop, so the return to
    // 1000 at hour 410 reads as a rise against it: one alarm outside the label (and its slack).
    expect(by.trend!.alarms).toBe(2);
    expect(by.trend!.outsideLabels).toBe(1);
    // business-anomaly needs last week: it skips the first week's 14 episodes of 12 hours.
    const ba = result.detectors.find((d) => d.detector === 'business-anomaly')!;
    const trend = result.detectors.find((d) => d.detector === 'trend')!;
    expect(trend.episodes).toBe(41);
    expect(ba.episodes).toBe(41 - 13);
  });
});

describe('detectors on the labelled real series', () => {
  const all = evaluateDetectorsOnRealData(REAL);

  it('covers every labelled series in the shared data', () => {
    expect(all.map((s) => s.series.split('/').pop())).toEqual([
      'purchase-01.csv',
      'purchase-02.csv',
      'purchase-03.csv',
      'api-01.csv',
      'unavail-01.csv',
      'app2-01.csv',
      'outbound-01.csv',
      'outbound-02.csv',
      'outbound-03.csv',
      'ec2_request_latency_system_failure.csv',
      'elb_request_count_8c0756.csv',
      'nyc_taxi.csv',
    ]);
    expect(all.map((s) => s.anomalies)).toEqual([0, 5, 1, 19, 0, 10, 2, 9, 3, 3, 2, 5]);
  });

  it('purchase-01 (no anomalies, per its metadata): trend and business-anomaly rarely alarm', () => {
    // Low-volume counts (0–2 purchases an hour) mapped as counts, so the judges' noise model is
    // Poisson and lone 1s and 2s stay inside it. The CUSUM's nominal two-sided ARL₀ at h = 5 is
    // about 465 points (Montgomery; test/unit/stats/control-charts.test.ts), i.e. ≈ 2.2 false alarms per 1000 points;
    // allow about 3× that (7 per 1000 points; measured: 3 alarms in 1248 points, 2.4 per 1000).
    const trend = figures(all, 'purchase-01.csv', 'trend');
    expect(trend.alarmsPer1000Points).toBeLessThanOrEqual(7);
    // business-anomaly tests at alpha 0.01 per look: at most 1% of looks may alarm by design,
    // and exact tests on such small counts rarely can (measured: 0).
    const ba = figures(all, 'purchase-01.csv', 'business-anomaly');
    expect(ba.alarms).toBeLessThanOrEqual(Math.ceil(0.01 * ba.episodes * 12));
  });

  it('unavail-01 (isolated errors the experts do not call anomalies): no trend or business alarm', () => {
    expect(figures(all, 'unavail-01.csv', 'trend').alarmsPer1000Points).toBeLessThanOrEqual(1);
    expect(
      figures(all, 'unavail-01.csv', 'business-anomaly').alarmsPer1000Points,
    ).toBeLessThanOrEqual(1);
  });

  it('each detector catches some labelled anomalies', () => {
    const summary = summarizeDetectors(all);
    const by = Object.fromEntries(summary.map((s) => [s.detector, s]));
    // 59 labelled anomalies over 10 series; 32 of them in the 5 count series business-anomaly reads.
    expect(by.trend!.anomalies).toBe(59);
    expect(by['business-anomaly']!.anomalies).toBe(32);
    expect(by.trend!.caught).toBeGreaterThanOrEqual(20);
    expect(by['business-anomaly']!.caught).toBeGreaterThanOrEqual(8);
    expect(by.threshold!.caught).toBeGreaterThanOrEqual(20);
  });

  it('where its assumptions hold (5-minute latency, no daily cycle within a check), trend is precise', () => {
    // EC2 latency before a known failure: the three NAB windows caught, few alarms elsewhere.
    const ec2 = figures(all, 'ec2_request_latency_system_failure.csv', 'trend');
    expect(ec2.caught).toBe(3);
    expect(ec2.outsidePer1000Points).toBeLessThanOrEqual(3);
    // The naive threshold catches them too but alarms several times as often elsewhere.
    const naive = figures(all, 'ec2_request_latency_system_failure.csv', 'threshold');
    expect(naive.outsideLabels).toBeGreaterThan(3 * ec2.outsideLabels);
  });

  it('business-anomaly catches the NYC holiday demand drops', () => {
    expect(figures(all, 'nyc_taxi.csv', 'business-anomaly').caught).toBeGreaterThanOrEqual(4);
  });
});
