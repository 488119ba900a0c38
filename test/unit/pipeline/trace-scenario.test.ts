import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadScenario } from '../../../src/config/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { loadTrace } from '../../../src/world/trace.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('a scenario driven by a recorded traffic trace', () => {
  const scenario = loadScenario(join(ROOT, 'scenarios/trace-driven-ecommerce.yaml'));
  const policy = loadPolicy(join(ROOT, 'policies/green-ci-only.yaml'));

  it('runs, replays identically, and starts trials at different weeks of the recording', () => {
    const a = [0, 1, 2, 3].map((trial) => runTrial({ scenario, policy, seed: 3, trial }).outcome);
    const b = [0, 1, 2, 3].map((trial) => runTrial({ scenario, policy, seed: 3, trial }).outcome);
    expect(b).toEqual(a);
    for (const o of a) expect(o.final).toMatch(/shipped|blocked|rolled-back|rollback-failed/);
    // Impact of shipped bad builds depends on the week's real traffic, so it differs between trials.
    const impacts = a
      .filter((o) => o.build.bad && o.final === 'shipped')
      .map((o) => Math.round(o.impact.failedRequests));
    expect(new Set(impacts).size).toBe(impacts.length);
  });

  it('reads the whole recording with real weekdays', () => {
    const trace = loadTrace(join(ROOT, 'scenarios/traces/ecommerce-api-rps.csv'));
    expect(trace.step).toBe(60);
    expect(trace.period / 10080).toBeGreaterThan(36);
    expect(trace.mondayOffset).toBeDefined();
  });
});

describe('a business baseline from a recorded series', () => {
  it('drives conversion with the recording’s timing, within ±conversionAmplitude, reproducibly', () => {
    const scenario = loadScenario(join(ROOT, 'scenarios/trace-driven-ecommerce.yaml'));
    expect(scenario.service.business.trace?.file).toBe('traces/purchases.csv');
    const policy = loadPolicy(join(ROOT, 'policies/truthful.yaml'));
    const seen = (trial: number) =>
      runTrial({ scenario, policy, seed: 5, trial, series: true })
        .series.filter((p) => p.metric === 'conversion_rate' && !Number.isNaN(p.value))
        .map((p) => p.value);
    const a = seen(0);
    expect(seen(0)).toEqual(a);
    expect(a.length).toBeGreaterThan(0);
    // 3% ± 10%, plus sampling noise of a few thousand sessions a minute.
    for (const v of a) expect(v).toBeLessThan(0.045);
  });

  it('names a missing business trace file with its path in the scenario', () => {
    const text = readFileSync(join(ROOT, 'scenarios/trace-driven-ecommerce.yaml'), 'utf8').replace(
      'traces/purchases.csv',
      'traces/no-such.csv',
    );
    const dir = mkdtempSync(join(tmpdir(), 'gatesim-trace-'));
    const file = join(dir, 'x.yaml');
    writeFileSync(file, text);
    expect(() => loadScenario(file)).toThrow(
      /service\.business\.trace\.file: no such file: traces\/no-such\.csv/,
    );
  });
});
