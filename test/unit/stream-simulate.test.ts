import { describe, expect, it } from 'vitest';
import { liveRegistries } from '../../src/config/registries.js';
import { runBoundTrial } from '../../src/pipeline/executor.js';
import { bindPolicy } from '../../src/pipeline/policy-binding.js';
import { streamFor, TrialStreams } from '../../src/random/index.js';
import {
  arrivalTimes,
  batchBuild,
  drawChanges,
  explainStreamDeploy,
  overrideProbability,
  runStreamTask,
  streamSettings,
  teamClock,
  type Change,
  type DeployRecord,
  type StreamTask,
} from '../../src/stream/index.js';
import { eventsNear, drawStreamConfounders } from '../../src/stream/world-events.js';
import { DAY, WEEK } from '../../src/world/calendar.js';
import { bindScenario } from '../../src/world/scenario-binding.js';
import { policy, QUIET_SCENARIO, scenario } from '../helpers/configs.js';

/** A world with bad builds that a canary can catch, and a few confounders. */
const STREAM_WORLD = `${QUIET_SCENARIO}
builds:
  badShare: 0.3
  bad:
    - name: errors
      weight: 1
      faults: [{ kind: error-rate, add: { min: 0.002, max: 0.05, log: true } }]
    - name: migration
      weight: 0.5
      faults:
        - { kind: error-rate, add: { min: 0.002, max: 0.05, log: true } }
        - { kind: rollback-breaker, mode: fail }
confounders:
  - { kind: upstream-incident, ratePerDay: 0.5, errorAdd: 0.02, duration: 30m }
  - { kind: metrics-gap, ratePerDay: 1, duration: 15m }
`;

/** A one-box canary on an error threshold, then the fleet, with a short watch. */
const CANARY = `
description: canary
ciTests: { error-rate: 0.2 }
stages:
  - name: canary
    target: { kind: hosts, region: main, count: 2 }
    bake: 20m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.015 }, interval: 5m }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
watch:
  duration: 30m
  checks:
    - { name: watch-errors, metric: error_rate, judge: { kind: threshold, max: 0.03 }, interval: 5m }
`;

/** CI and a rollback drill that each catch about half of what they can: a verdict is a coin. */
const VERDICTS = CANARY.replace('error-rate: 0.2', 'error-rate: 0.5').replace(
  'stages:',
  'rollbackDrill: { duration: 10m, detectProbability: 0.5 }\nstages:',
);

/**
 * The pre-deploy verdict a batch of unfixed bad changes gets under VERDICTS, from the changes'
 * own uniforms: CI catches an error-rate fault when its u is below 0.5 (no other kind); else the drill fails when a change
 * whose build breaks rollback has its u below 0.5.
 */
function expectedVerdict(bad: readonly Change[]): 'ci' | 'drill' | 'passed' {
  const p = (kind: string) => (kind === 'error-rate' ? 0.5 : 0);
  const ci = bad.some((c) =>
    c.build.faults.some((f, i) => !f.benign && c.verdicts.ci[i]! < p(f.ciKind)),
  );
  if (ci) return 'ci';
  const breaks = (c: Change) => c.build.faults.some((f) => f.rollback !== undefined);
  return bad.some((c) => breaks(c) && c.verdicts.drill < 0.5) ? 'drill' : 'passed';
}

/** No gate at all: everything ships. */
const NO_GATE = `
description: no gate
stages:
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`;

/** One stream of the scenario under the policy, with the scenario's fatigue curve. */
function task(
  scenarioYaml: string,
  policyYaml: string,
  over: Partial<StreamTask> = {},
): StreamTask {
  const s = scenario(scenarioYaml, 'stream-world');
  return {
    scenario: s,
    policies: [policy(policyYaml, 'p')],
    variants: [{ policy: 0, fatigue: streamSettings(s).fatigue, flaky: 0, rows: true }],
    weeks: 2,
    seed: 3,
    stream: 0,
    ...over,
  };
}

describe('overrideProbability', () => {
  it('matches the share of remembered false alarms at steepness 1 and rises faster when steeper', () => {
    const curve = { max: 1, steepness: 1, memory: 10 };
    expect(overrideProbability(curve, [])).toBe(0);
    expect(overrideProbability(curve, [true, false, false, false])).toBeCloseTo(0.25, 12);
    // 1 − (1 − 0.25)^3
    expect(
      overrideProbability({ ...curve, steepness: 3 }, [true, false, false, false]),
    ).toBeCloseTo(0.578125, 12);
    expect(overrideProbability({ ...curve, max: 0 }, [true])).toBe(0);
    expect(overrideProbability({ ...curve, max: 0.5 }, [true, true])).toBe(0.5);
  });
});

describe('arrivals', () => {
  it('come only inside working hours, about changesPerDay per working day', () => {
    const s = bindScenario(scenario(STREAM_WORLD, 'w'), liveRegistries);
    const clock = teamClock(s);
    const times = arrivalTimes(clock, 10, 20, new TrialStreams(1, 0).get('a'));
    // QUIET_SCENARIO's schedule is Tuesdays 10–11 UTC: people's hours default to it.
    for (const t of times) {
      const local = (t - WEEK) % WEEK;
      expect(Math.floor(local / DAY)).toBe(1);
      expect(local % DAY).toBeGreaterThanOrEqual(600);
      expect(local % DAY).toBeLessThan(660);
    }
    // 20 Tuesdays × Poisson(10): 200 ± 3 × √200.
    expect(Math.abs(times.length - 200)).toBeLessThan(3 * Math.sqrt(200));
  });

  it('a batch is bad when any change still carries a fault, with every such fault and its uniforms', () => {
    const s = bindScenario(scenario(STREAM_WORLD, 'w'), liveRegistries);
    const changes = drawChanges(s, teamClock(s), 10, 4, 1, 0);
    const bad = changes.filter((c) => c.build.bad).slice(0, 2);
    const good = changes.find((c) => !c.build.bad)!;
    expect(bad).toHaveLength(2);
    const { build: b } = batchBuild([good, ...bad].map((c) => ({ ...c, fixed: false })));
    expect(b.bad).toBe(true);
    expect(b.template).toBe('errors+errors');
    expect(b.faults.filter((f) => !f.benign)).toHaveLength(2);
    // Every fault keeps its own change's uniforms: CI's one per fault, the drill's one per change.
    const e = changes.find((c) => c.build.template === 'errors')!;
    const m = changes.find((c) => c.build.template === 'migration')!;
    const mixed = batchBuild([good, e, m].map((c) => ({ ...c, fixed: false })));
    expect(mixed.build.faults.map((f) => f.kind)).toEqual([
      'error-rate',
      'error-rate',
      'rollback-breaker',
    ]);
    expect(mixed.verdicts).toEqual({
      ci: [e.verdicts.ci[0], m.verdicts.ci[0], m.verdicts.ci[1]],
      drill: [e.verdicts.drill, m.verdicts.drill, m.verdicts.drill],
    });
    // Drawn from streams keyed by the stream and the change alone, not by any deploy.
    const own = (id: number, what: string) =>
      streamFor({ seed: 1, trial: 0, purpose: `stream:change:${id}:${what}` });
    const ci = own(m.id, 'ci');
    expect(m.verdicts).toEqual({ ci: [ci.next(), ci.next()], drill: own(m.id, 'drill').next() });
    const fixed = batchBuild([
      { ...good, fixed: false },
      { ...bad[0]!, fixed: true },
    ]);
    expect(fixed.build).toMatchObject({ bad: false, template: 'good' });
  });
});

describe('runStream', () => {
  it('with overrides off and one change per deploy, each deploy is the single trial of its build', () => {
    const yaml = `${STREAM_WORLD}\nstream: { changesPerDay: 6, maxBatch: 1, fatigue: { max: 0 } }\n`;
    const t = task(yaml, CANARY, { weeks: 6 });
    const run = runStreamTask(t).runs[0]!;
    const rows = run.deploys!;
    const s = bindScenario(t.scenario, liveRegistries);
    const p = bindPolicy(t.policies[0]!, liveRegistries.judges);
    const changes = drawChanges(s, teamClock(s), 6, 6, t.seed, t.stream);
    const events = drawStreamConfounders(s, t.seed, t.stream, WEEK - DAY, WEEK * 7 + 16 * DAY);
    const byId = new Map(changes.map((c) => [c.id, c]));
    const finals = new Set<string>();
    let reverted = 0;
    let onCall = 0;
    expect(rows.length).toBeGreaterThan(15);
    for (const r of rows.filter((x) => !x.revert)) {
      expect(r.changes).toBe(1);
      expect(r.kind).toBe('gated');
      const change = byId.get(r.changeIds[0]!)!;
      const fixed = change.build.bad && r.badChanges === 0;
      // The single trial of the change's build, with CI and the drill deciding by the change's
      // own uniforms (a stream's deploy does not draw them per trial: see the next test).
      const { build, verdicts } = batchBuild([{ ...change, fixed }]);
      // The deploy's trial, looked at until its end or, with probeAt, until then.
      const replay = (probeAt?: number) =>
        runBoundTrial({
          scenario: s,
          policy: p,
          seed: t.seed,
          trial: r.trial,
          startAt: r.startAt,
          build,
          verdicts,
          confounders: eventsNear(events, r.startAt),
          ...(probeAt === undefined ? {} : { probeAt }),
        }).outcome;
      const single = replay();
      finals.add(single.final);
      expect({ final: r.final, by: r.detectedBy, shippedAt: r.shippedAt, bad: r.bad }).toEqual({
        final: single.final,
        by: single.detectedBy ?? '',
        shippedAt: single.shippedAt,
        bad: single.build.bad,
      });
      // A bad batch nothing could roll back counts its impact until its revert went out (the
      // same trial, looked at then); every other, the trial's own (on-call's rollback included).
      if (r.revertedAt !== undefined) {
        reverted++;
        expect(r.bad).toBe(true);
        const until = replay(r.startAt + r.revertedAt);
        expect(r.failedRequests).toBe(until.probe!.impact.failedRequests);
      } else {
        if (r.bad && r.final === 'shipped' && single.restoredAt !== undefined) onCall++;
        expect(r.failedRequests).toBe(single.impact.failedRequests);
      }
    }
    expect(reverted).toBeGreaterThan(0);
    expect(onCall).toBeGreaterThan(0);
    // The check is not vacuous: the stream saw blocks, shipments and rollbacks.
    expect(finals.has('shipped')).toBe(true);
    expect(finals.size).toBeGreaterThanOrEqual(2);
    expect(run.counts.overrides).toBe(0);
  });

  it("CI's and the drill's verdicts are the change's: a retried change meets the same ones", () => {
    const yaml = `${STREAM_WORLD}\npeople: { alwaysAtWork: true }\nstream: { changesPerDay: 6, maxBatch: 1, fixProbability: 0.3, fatigue: { max: 0 } }\n`;
    const t = task(yaml, VERDICTS, { weeks: 3 });
    const rows = runStreamTask(t).runs[0]!.deploys!;
    const s = bindScenario(t.scenario, liveRegistries);
    const byId = new Map(
      drawChanges(s, teamClock(s), 6, 3, t.seed, t.stream).map((c) => [c.id, c]),
    );
    // Per change carried with its fault (not yet fixed), the pre-deploy verdict of each deploy.
    const seen = new Map<number, string[]>();
    for (const r of rows) {
      const change = byId.get(r.changeIds[0]!);
      if (change === undefined || !change.build.bad || r.badChanges !== 1) continue;
      const verdict = r.detectedBy === 'ci' || r.detectedBy === 'drill' ? r.detectedBy : 'passed';
      seen.set(change.id, [...(seen.get(change.id) ?? []), verdict]);
    }
    const retried = [...seen.values()].filter((v) => v.length > 1);
    for (const v of retried) expect(v.slice(1)).toEqual(v.slice(1).map(() => v[0]));
    // Not vacuous: retries of changes CI caught, the drill caught, and both passed.
    const count = (k: string) => retried.filter((v) => v[0] === k).length;
    expect(count('ci')).toBeGreaterThanOrEqual(5);
    expect(count('drill')).toBeGreaterThanOrEqual(1);
    expect(count('passed')).toBeGreaterThanOrEqual(3);
    // And each verdict is the one the change's own uniforms give.
    for (const [id, v] of seen) expect(v[0]).toBe(expectedVerdict([byId.get(id)!]));
  });

  it('a batch fails CI when any of its changes is caught, the drill when any breaking change fails it', () => {
    const yaml = `${STREAM_WORLD}\npeople: { alwaysAtWork: true }\nstream: { changesPerDay: 12, fixProbability: 0.3, fatigue: { max: 0 } }\n`;
    const t = task(yaml, VERDICTS, { weeks: 3 });
    const rows = runStreamTask(t).runs[0]!.deploys!;
    const s = bindScenario(t.scenario, liveRegistries);
    const byId = new Map(
      drawChanges(s, teamClock(s), 12, 3, t.seed, t.stream).map((c) => [c.id, c]),
    );
    const verdicts = new Set<string>();
    let checked = 0;
    for (const r of rows) {
      const bad = r.changeIds.map((id) => byId.get(id)).filter((c) => c?.build.bad === true);
      // Only batches whose bad changes are all still unfixed: which ones a look fixed is not recorded.
      if (r.changes < 2 || bad.length === 0 || r.badChanges !== bad.length) continue;
      const verdict = r.detectedBy === 'ci' || r.detectedBy === 'drill' ? r.detectedBy : 'passed';
      expect(verdict).toBe(expectedVerdict(bad as Change[]));
      verdicts.add(verdict);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    expect(verdicts).toEqual(new Set(['ci', 'drill', 'passed']));
  });

  it('a policy that never blocks has an override rate of 0; one that blocks often is overridden', () => {
    const yaml = `${STREAM_WORLD}\nstream: { changesPerDay: 6 }\n`;
    const free = runStreamTask(task(yaml, NO_GATE)).runs[0]!;
    expect(free.counts.stops).toBe(0);
    expect(free.counts.overrides).toBe(0);
    expect(free.figures.overrideRate).toBe(0);
    expect(free.counts.production).toBeGreaterThan(0);
    // A check whose limit every interval breaks: it stops every deploy, and the team learns.
    const noisy = CANARY.replace('max: 0.015', 'max: 0.0000001');
    const blocked = runStreamTask(task(yaml, noisy)).runs[0]!;
    expect(blocked.counts.stops).toBeGreaterThan(5);
    expect(blocked.figures.overrideRate).toBeGreaterThan(0.3);
  });

  it('mean batch size matches the M/D/1 bulk-service closed form a + e^−a (a = λD)', () => {
    // Always at work, no bad builds, a pipeline of fixed length D = 3 min deploy + 57 min bake.
    const lambdaPerDay = 48; // 2 an hour: a = 2
    const yaml = `${QUIET_SCENARIO}\npeople: { alwaysAtWork: true }\nstream: { changesPerDay: ${lambdaPerDay} }\n`;
    const fixed = `
description: fixed service time
maxBatchShare: 1
stages:
  - { name: all, target: { kind: fleet, share: 1 }, bake: 57m }
`;
    const rows: DeployRecord[] = [];
    for (let stream = 0; stream < 3; stream++)
      rows.push(...runStreamTask(task(yaml, fixed, { weeks: 6, stream })).runs[0]!.deploys!);
    const D = rows[0]!.pipelineMin;
    expect(D).toBe(60);
    for (const r of rows) expect(r.pipelineMin).toBe(D);
    const a = (lambdaPerDay / 1440) * D;
    const expected = a + Math.exp(-a);
    const sizes = rows.map((r) => r.changes);
    const mean = sizes.reduce((s, x) => s + x, 0) / sizes.length;
    const sd = Math.sqrt(sizes.reduce((s, x) => s + (x - mean) ** 2, 0) / (sizes.length - 1));
    expect(sizes.length).toBeGreaterThan(1500);
    expect(Math.abs(mean - expected)).toBeLessThan(3.5 * (sd / Math.sqrt(sizes.length)));
    // And not the naive λD: batching is not just arrivals per service.
    expect(Math.abs(mean - a)).toBeGreaterThan(5 * (sd / Math.sqrt(sizes.length)));
  });

  it('an emergency revert skips the gates: incidents under a slow pipeline end sooner', () => {
    const slow = CANARY.replace('bake: 20m', 'bake: 4h');
    const base = `${STREAM_WORLD}\nstream: { changesPerDay: 6 }\n`;
    const emergency = `${STREAM_WORLD}\nstream: { changesPerDay: 6, emergencyRevert: true }\n`;
    const through = runStreamTask(task(base, slow, { weeks: 6 })).runs[0]!;
    const past = runStreamTask(task(emergency, slow, { weeks: 6 })).runs[0]!;
    expect(through.counts.incidents).toBeGreaterThan(0);
    expect(past.figures.timeToRestoreMin!).toBeLessThan(through.figures.timeToRestoreMin!);
    expect(past.deploys!.some((d) => d.kind === 'emergency')).toBe(true);
    expect(through.deploys!.some((d) => d.kind === 'emergency')).toBe(false);
  });

  it('is the same stream for every policy: the same commits, bad changes and world events', () => {
    const yaml = `${STREAM_WORLD}\nstream: { changesPerDay: 6 }\n`;
    const t = task(yaml, CANARY);
    const both = runStreamTask({
      ...t,
      policies: [policy(CANARY, 'a'), policy(NO_GATE, 'b')],
      variants: [0, 1].map((i) => ({ ...t.variants[0]!, policy: i })),
    });
    expect(both.runs[0]!.counts.changes).toBe(both.runs[1]!.counts.changes);
    // Running one alone gives the same as running it beside another.
    expect(runStreamTask(t).runs[0]).toEqual(both.runs[0]);
  });

  it('explains a deploy as the stream ran it: its record and outcome, with a timeline', () => {
    const yaml = `${STREAM_WORLD}\nstream: { changesPerDay: 6 }\n`;
    const t = task(yaml, CANARY, { weeks: 3 });
    const rows = runStreamTask(t).runs[0]!.deploys!;
    const stopped = rows.find((r) => r.final === 'rolled-back' || r.final === 'blocked');
    expect(stopped).toBeDefined();
    for (const r of [rows[0]!, stopped!, rows.at(-1)!]) {
      const got = explainStreamDeploy({ ...t, policy: t.policies[0]!, deploy: r.deploy });
      if (!('result' in got)) throw new Error(`deploy ${r.deploy} not explained`);
      expect(got.record).toEqual(r);
      expect(got.deploys).toBe(rows.length);
      expect(got.result.outcome.trial).toBe(r.trial);
      expect(got.result.outcome.final).toBe(r.final);
      expect(got.result.outcome.timeline!.length).toBeGreaterThan(0);
    }
    expect(explainStreamDeploy({ ...t, policy: t.policies[0]!, deploy: rows.length })).toEqual({
      deploys: rows.length,
    });
  });
});
