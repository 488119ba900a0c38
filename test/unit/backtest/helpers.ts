/**
 * Small builders for backtest tests: policies written out in full (so the tests do not depend
 * on the loader's defaults), recorded metrics generated minute by minute, and a spy judge that
 * records what each measurement saw.
 */
import { z } from 'zod';
import { readDeploys, readMetrics } from '../../../src/backtest/inputs.js';
import type { RecordedDeploy, RecordedMetrics } from '../../../src/backtest/inputs.js';
import type { JudgeInput, JudgeModel, Verdict } from '../../../src/judges/types.js';
import type { CheckConfig, PolicyConfig, StageConfig } from '../../../src/policy/types.js';

/** Tuesday 2024-01-02 10:00 UTC, the deploy start of most tests. */
export const START = '2024-01-02T10:00:00Z';
const START_MS = Date.parse(START);

/** An ISO time `minutes` after START. */
export function at(minutes: number): string {
  return new Date(START_MS + minutes * 60_000).toISOString();
}

export function check(overrides: Partial<CheckConfig> = {}): CheckConfig {
  return {
    name: 'errors',
    metric: 'error_rate',
    judge: { kind: 'threshold', params: { max: 0.02 } },
    compare: 'absolute',
    baselineScope: 'region',
    scope: 'new',
    interval: 5,
    initialDelay: 0,
    count: undefined,
    window: 'interval',
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    failedChecksThreshold: undefined,
    minSample: 0,
    onMissingData: 'inconclusive',
    dryRun: false,
    perRegion: false,
    background: false,
    ...overrides,
  };
}

export function stage(overrides: Partial<StageConfig> = {}): StageConfig {
  return {
    name: 'canary',
    target: { kind: 'hosts', region: 'eu', count: 1 },
    bake: 30,
    checks: [check()],
    approval: { kind: 'automatic' },
    deployWindows: [],
    ...overrides,
  };
}

export function policy(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  return {
    name: 'test-policy',
    description: 'test',
    ciTests: {},
    rollbackDrill: undefined,
    maxBatchShare: 1,
    stages: [
      stage(),
      stage({ name: 'all', target: { kind: 'fleet', share: 1 }, bake: 0, checks: [] }),
    ],
    watch: undefined,
    rollback: { minutesPerBatch: 5, maxBatchShare: 1 },
    onInconclusive: 'pause',
    manualResume: { kind: 'lognormal', medianMinutes: 60, sigma: 1 },
    baseDir: '.',
    ...overrides,
  };
}

export interface SeriesSpec {
  region?: string;
  group?: string;
  /** Role (canary/baseline) or version, depending on the header. */
  side: string;
  metric?: string;
  from: number;
  to: number;
  /** Value at a minute since START (a rate for rate metrics). */
  value: (m: number) => number;
  n?: number;
}

/** METRICS.csv text with one row per minute per series. */
export function metricsCsv(series: readonly SeriesSpec[], sideColumn = 'role'): string {
  const lines = [`timestamp,region,group,${sideColumn},metric,value,n,events`];
  for (const s of series) {
    for (let m = s.from; m <= s.to; m++) {
      const v = s.value(m);
      const n = s.n ?? 1000;
      const metric = s.metric ?? 'error_rate';
      const events = metric.endsWith('_rate') ? Math.round(v * n) : '';
      lines.push(
        `${at(m)},${s.region ?? 'eu'},${s.group ?? 'h1'},${s.side},${metric},${v},${n},${events}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function metricsOf(text: string): Promise<RecordedMetrics> {
  return readMetrics([text], 'metrics.csv');
}

export async function deployOf(text: string): Promise<RecordedDeploy> {
  const [d] = await readDeploys([text], 'deploys.csv');
  return d!;
}

/** What a spy judge saw at one measurement. */
export interface Seen {
  canary: number[];
  /** Σn of the canary points. */
  canaryN: number;
  baselineN: number;
  baseline: number[] | undefined;
  before: number[] | undefined;
  seasonal: number[] | undefined;
}

/** A judge that records the times of the points it is sent and answers from a script. */
export function spyJudge(
  answer: (look: number, input: JudgeInput) => Verdict = () => 'pass',
  needs: JudgeModel['needs'] = { baseline: 'optional', seasonal: true, before: true },
): { model: JudgeModel; seen: Seen[] } {
  const seen: Seen[] = [];
  const model: JudgeModel = {
    kind: 'spy',
    summary: 'test spy',
    params: z.object({}),
    metrics: (_p, m) => [m],
    needs,
    defaultWindow: 'interval',
    create() {
      let look = 0;
      return {
        evaluate(input) {
          const d = input.data[input.metric]!;
          seen.push({
            canary: d.canary.map((p) => p.t),
            canaryN: d.canary.reduce((a, p) => a + p.n, 0),
            baselineN: (d.baseline ?? []).reduce((a, p) => a + p.n, 0),
            baseline: d.baseline?.map((p) => p.t),
            before: d.before?.map((p) => p.t),
            seasonal: d.seasonal?.map((p) => p.value),
          });
          const verdict = answer(look++, input);
          return { verdict, reason: `spy says ${verdict}`, figures: { look } };
        },
      };
    },
  };
  return { model, seen };
}
