/**
 * Imported configurations, simulated, behave as their own systems document: a Flagger canary
 * at very low canary traffic rolls back good builds (no values found counts as a failed check),
 * and an Argo AnalysisTemplate with failureLimit 2 fails on the third failed measurement.
 * The configurations are written by hand from each project's documented spec.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/index.js';
import { importArgoRollouts, importFlagger } from '../../../src/import/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/import');

function source(path: string) {
  return { name: path, text: readFileSync(join(FIXTURES, path), 'utf8') };
}

describe('imported policies simulate with their own semantics', () => {
  it('a Flagger canary at very low traffic rolls back good builds: missing data counts as failed checks', () => {
    const imported = importFlagger([
      source('flagger/canary-istio.yaml'),
      source('flagger/metric-templates.yaml'),
    ]);
    const policy = parsePolicy(imported.text, 'flagger-imported.yaml');
    // A quiet service: 3 requests a minute across the fleet, so a 20% canary sees one every two minutes or so.
    const quiet = scenario(
      withBuilds(
        QUIET_SCENARIO.replace('peakRequestsPerMin: 20000', 'peakRequestsPerMin: 3'),
        'builds: { badShare: 0, bad: [] }',
      ),
    );
    const outcomes = Array.from(
      { length: 20 },
      (_, trial) => runTrial({ scenario: quiet, policy, seed: 1, trial, timeline: true }).outcome,
    );
    const rolledBack = outcomes.filter((o) => o.final === 'rolled-back');
    expect(rolledBack.length).toBeGreaterThanOrEqual(15);
    for (const o of rolledBack) {
      expect(o.build.bad).toBe(false);
      expect(o.timeline!.some((e) => e.verdict === 'fail' && e.message.includes('no data'))).toBe(
        true,
      );
    }
    // The same canary on a busy service promotes good builds, where Prometheus scrapes every
    // 15 s (Istio's Prometheus add-on, which Flagger's Istio guide installs): its 30 s
    // request-duration window then holds two scrapes.
    const busy = scenario(
      withBuilds(QUIET_SCENARIO, 'builds: { badShare: 0, bad: [] }') + 'scrapeInterval: 15s\n',
    );
    const shipped = Array.from(
      { length: 10 },
      (_, trial) => runTrial({ scenario: busy, policy, seed: 1, trial }).outcome,
    );
    expect(shipped.filter((o) => o.final === 'shipped').length).toBeGreaterThanOrEqual(9);
  });

  it('a Flagger metric whose 30s window holds one 30s scrape gets no values: every interval fails (Prometheus rate needs two samples)', () => {
    const imported = importFlagger([
      source('flagger/canary-istio.yaml'),
      source('flagger/metric-templates.yaml'),
    ]);
    // The importer says so, at the source field.
    expect(imported.warnings.join('\n')).toMatch(
      /canary-istio\.yaml: spec\.analysis\.metrics\[1\]\.interval: check `request-duration`: at a 30s scrape interval, a rate \(latency_p99\) needs two scrapes in its window, and its 30s window holds at most one/,
    );
    const policy = parsePolicy(imported.text, 'flagger-imported.yaml');
    const busy = scenario(withBuilds(QUIET_SCENARIO, 'builds: { badShare: 0, bad: [] }'));
    expect(busy.scrapeInterval).toBe(0.5);
    for (let trial = 0; trial < 5; trial++) {
      const o = runTrial({ scenario: busy, policy, seed: 1, trial, timeline: true }).outcome;
      expect(o.final).toBe('rolled-back');
      const durations = o.timeline!.filter((e) => e.check === 'request-duration');
      expect(durations.length).toBeGreaterThan(0);
      for (const e of durations) {
        expect(e.verdict).toBe('fail');
        expect(e.message).toContain(
          'the 30s window holds one scrape (one every 30s); a rate needs two',
        );
      }
    }
  });

  it('an Argo AnalysisTemplate with failureLimit 2 fails on the third failed measurement', () => {
    const rollout = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: checkout }
spec:
  strategy:
    canary:
      steps:
        - setWeight: 20
        - analysis:
            templates: [{ templateName: error-rate }]
        - setWeight: 100
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: error-rate }
spec:
  metrics:
    - name: error-rate
      interval: 1m
      count: 10
      failureLimit: 2
      successCondition: result[0] <= 0.01
      provider:
        prometheus:
          query: sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
`;
    const imported = importArgoRollouts([{ name: 'rollout.yaml', text: rollout }]);
    const policy = parsePolicy(imported.text, 'argo-imported.yaml');
    const check = policy.stages.flatMap((s) => s.checks)[0]!;
    expect(check.failureLimit).toBe(2);
    expect(check.metric).toBe('error_rate');
    const bad = scenario(
      withBuilds(
        QUIET_SCENARIO,
        'builds: { badShare: 1, bad: [ { name: errors, weight: 1, faults: [ { kind: error-rate, add: 0.05 } ] } ] }',
      ),
    );
    for (let trial = 0; trial < 5; trial++) {
      const o = runTrial({ scenario: bad, policy, seed: 1, trial, timeline: true }).outcome;
      const verdicts = o.timeline!.filter((e) => e.kind === 'measurement').map((e) => e.verdict);
      expect(verdicts.filter((v) => v === 'fail')).toHaveLength(3);
      expect(verdicts[verdicts.length - 1]).toBe('fail');
      expect(o.final).toBe('rolled-back');
    }
  });
});

// Issue 11 §4: measurements between an Argo successCondition and failureCondition are
// Inconclusive (utils/evaluate/evaluate.go), and an Inconclusive run pauses the rollout for a
// person (rollout/analysis.go). The importer used to let them pass.
describe('an Argo p99 template with both conditions', () => {
  const rollout = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: guestbook }
spec:
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: { duration: 5m }
        - analysis:
            templates: [{ templateName: latency-p99 }]
        - setWeight: 50
        - pause: { duration: 10m }
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: latency-p99 }
spec:
  metrics:
    - name: latency-p99
      interval: 60s
      count: 5
      successCondition: result[0] <= 0.4
      failureCondition: result[0] > 1.5
      provider:
        prometheus:
          query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))
`;
  const imported = importArgoRollouts([{ name: 'rollout.yaml', text: rollout }]);
  const policy = parsePolicy(imported.text, 'argo-p99.yaml');

  it('imports the band as the judge’s inconclusive band, with no approximation listed', () => {
    const check = policy.stages[0]!.checks[0]!;
    expect(check.judge).toEqual({
      kind: 'threshold',
      params: { max: 1500, inconclusiveAbove: 400 },
    });
    expect(policy.onInconclusive).toBe('pause');
    expect(imported.gaps.filter((g) => /Inconclusive/.test(g.message))).toEqual([]);
  });

  it('a slow tail landing in the band pauses the rollout for a person; good builds never pause', () => {
    const latency = `${QUIET_SCENARIO}service: { latency: { medianMs: 80, sigma: 0.5 } }\n`;
    const bad = scenario(
      withBuilds(
        latency,
        'builds: { badShare: 1, bad: [ { name: tail, weight: 1, faults: [ { kind: latency, tailShare: 0.1, tailMultiplier: 5 } ] } ] }',
      ),
    );
    for (let trial = 0; trial < 5; trial++) {
      const o = runTrial({ scenario: bad, policy, seed: 1, trial, timeline: true }).outcome;
      const measured = o.timeline!.filter((e) => e.kind === 'measurement');
      const first = measured[0]!;
      expect(first.verdict).toBe('inconclusive');
      expect(first.figures!.value).toBeGreaterThan(400);
      expect(first.figures!.value).toBeLessThanOrEqual(1500);
      expect(o.timeline!.some((e) => e.kind === 'pause' && /inconclusive/.test(e.message))).toBe(
        true,
      );
    }
    const good = scenario(withBuilds(latency, 'builds: { badShare: 0, bad: [] }'));
    for (let trial = 0; trial < 5; trial++) {
      const o = runTrial({ scenario: good, policy, seed: 1, trial, timeline: true }).outcome;
      expect(o.timeline!.filter((e) => e.kind === 'measurement').map((e) => e.verdict)).toEqual(
        Array(5).fill('pass'),
      );
      expect(o.timeline!.some((e) => e.kind === 'pause')).toBe(false);
    }
  });
});
