/**
 * The rollout controller's Argo Rollouts and Flagger semantics, on a scripted site: every
 * measurement's verdict comes from a script keyed by check and time, deploys are instant and a
 * person takes a fixed time, so each test states exactly when the source's controller would
 * pause, resume, roll back or promote.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/index.js';
import { Simulator, type EventHandle } from '../../../src/engine/index.js';
import { JUDGES } from '../../../src/judges/index.js';
import type { JudgeResult, Verdict } from '../../../src/judges/types.js';
import type { RunPhase } from '../../../src/pipeline/check-run.js';
import { bindPolicy } from '../../../src/pipeline/policy-binding.js';
import {
  RolloutController,
  type CheckRun,
  type RolloutEvent,
  type RolloutSite,
} from '../../../src/pipeline/rollout.js';
import type { TimelineEntry } from '../../../src/pipeline/types.js';
import type { PolicyConfig } from '../../../src/policy/types.js';

/** Verdict of `check` measured at minute `t`. */
type Script = (check: string, t: number) => Verdict;

interface Story {
  /** `t kind stage: message` lines, in order. */
  lines: string[];
  /** `t check verdict→phase` for every measurement. */
  measurements: string[];
  end: { kind: 'rollback'; by: string; t: number } | { kind: 'passed'; t: number } | undefined;
}

const PERSON_MINUTES = 30;

function play(policyYaml: string, script: Script, until = 1000): Story {
  const policy: PolicyConfig = parsePolicy(policyYaml, 'p.yaml');
  const sim = new Simulator<RolloutEvent>(0);
  const story: Story = { lines: [], measurements: [], end: undefined };
  const site: RolloutSite = {
    policy,
    regions: [],
    endLimit: until,
    schedule: (t, e) => sim.at(t, e),
    cancel: (h) => sim.cancel(h as EventHandle),
    deployStage: (i, now) => controller.stageDeployed(i, now),
    measure: (run: CheckRun, now): JudgeResult => {
      const verdict = script(run.check.name, now);
      return { verdict, reason: verdict, figures: {} };
    },
    measured: (run: CheckRun, r: JudgeResult, phase: RunPhase, now) => {
      story.measurements.push(`${now} ${run.check.name} ${r.verdict}→${phase}`);
    },
    personDelay: () => ({ minutes: PERSON_MINUTES, how: 'fixed' }),
    rollback: (by, now) => {
      story.end = { kind: 'rollback', by, t: now };
    },
    shipped: () => undefined,
    passed: (now) => {
      story.end = { kind: 'passed', t: now };
    },
    note: (kind: TimelineEntry['kind'], message: string, stage?: number) => {
      const name = stage === undefined || stage < 0 ? '' : ` ${policy.stages[stage]!.name}`;
      story.lines.push(`${sim.now} ${kind}${name}: ${message}`);
    },
  };
  const controller = new RolloutController(site, bindPolicy(policy, JUDGES));
  controller.start(0);
  sim.run((e, now) => controller.dispatch(e, now), until);
  return story;
}

describe('Argo Rollouts: Inconclusive pauses the rollout (rollout/analysis.go)', () => {
  // Background analysis declared on the first step, running through later ones
  // (reconcileBackgroundAnalysisRun: Inconclusive → PauseReasonInconclusiveAnalysis).
  const background = `
onInconclusive: pause
stages:
  - name: w10
    target: { kind: fleet, share: 0.1 }
    bake: 10m
    checks:
      - { name: bg, metric: latency_p99, judge: { kind: threshold, max: 1 }, interval: 1m, background: true }
  - { name: w50, target: { kind: fleet, share: 0.5 }, bake: 60m }
  - { name: full, target: { kind: fleet, share: 1 } }
`;

  it('a background analysis that turns Inconclusive in a later step pauses the rollout at that step', () => {
    const s = play(background, (check, t) => (t === 15 ? 'inconclusive' : 'pass'));
    expect(s.lines).toContain(
      '15 pause w50: check bg inconclusive: rollout paused for a person (fixed)',
    );
    expect(s.lines).toContain('45 pause w50: a person resumed the paused rollout');
    // w50 bakes until 70; the pause (15 → 45) lies inside it, so promotion is not delayed here,
    // but nothing promotes while paused:
    expect(s.lines.filter((l) => l.includes('promote'))).toEqual([
      '10 promote w10: promoted past w10',
      '70 promote w50: promoted past w50',
      '70 promote full: promoted past full',
    ]);
  });

  it('a pause holds the step past its bake until a person resumes', () => {
    const s = play(background.replace('bake: 60m', 'bake: 10m'), (check, t) =>
      t === 15 ? 'inconclusive' : 'pass',
    );
    expect(s.lines.filter((l) => l.includes('promote w50'))).toEqual([
      '45 promote w50: promoted past w50',
    ]);
  });

  it('after a person resumes, Argo starts a new background AnalysisRun, which can still fail the rollout', () => {
    // needsNewAnalysisRun: a controller pause over an Inconclusive run → a new run.
    const s = play(background, (check, t) =>
      t === 15 ? 'inconclusive' : t >= 50 ? 'fail' : 'pass',
    );
    expect(s.measurements.filter((m) => Number(m.split(' ')[0]) >= 15).slice(0, 3)).toEqual([
      '15 bg inconclusive→inconclusive',
      '46 bg pass→running',
      '47 bg pass→running',
    ]);
    expect(s.end).toEqual({ kind: 'rollback', by: 'bg', t: 50 });
  });
});

// fluxcd/flagger pkg/controller/scheduler.go, advanceCanary, once per analysis interval:
// (1) failed checks ≥ threshold → roll back, before any analysis; (2) runAnalysis, where any
// failing metric adds one failed check and returns (the weight holds); (3) all passed → the
// weight advances (runCanary) or, at maxWeight, the canary is promoted; in blue/green and A/B
// the iteration count advances only on a passing interval (runBlueGreen, runAB).
describe('Flagger: the analysis loop (scheduler.go, advanceCanary)', () => {
  const canary = (threshold: number) => `
onInconclusive: abort
stages:
  - name: w10
    target: { kind: fleet, share: 0.1 }
    bake: 1m
    checks: &checks
      - { name: rate, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 1m, failedChecksThreshold: ${threshold}, onMissingData: fail }
      - { name: p99, metric: latency_p99, judge: { kind: threshold, max: 500 }, interval: 1m, failedChecksThreshold: ${threshold}, onMissingData: fail }
  - { name: w20, target: { kind: fleet, share: 0.2 }, bake: 1m, checks: *checks }
  - { name: promoted, target: { kind: fleet, share: 1 } }
`;

  it('rolls back at the interval after the threshold-th failed check, without analysing it', () => {
    const s = play(canary(2), (check) => (check === 'rate' ? 'fail' : 'pass'));
    // Failures at 1 and 2 (the weight holds at 10%); the count is checked at 3 and rolls back.
    expect(s.measurements).toEqual([
      '1 rate fail→running',
      '1 p99 pass→running',
      '2 rate fail→running',
      '2 p99 pass→running',
    ]);
    expect(s.end).toEqual({ kind: 'rollback', by: 'rate', t: 3 });
  });

  it('threshold 1: the first failed check rolls back one interval later', () => {
    const s = play(canary(1), (check, t) => (check === 'p99' && t === 2 ? 'fail' : 'pass'));
    expect(s.end).toEqual({ kind: 'rollback', by: 'p99', t: 3 });
  });

  it('counts one failed check per interval however many metrics fail; passes never reset it', () => {
    // Both fail at 1 (one failed check), pass at 2 (advance to 20%), rate fails at 3 (second).
    const s = play(canary(3), (check, t) =>
      t === 1 || (check === 'rate' && t === 3) ? 'fail' : 'pass',
    );
    expect(s.lines.filter((l) => /^\d+ promote /.test(l))).toEqual([
      '2 promote w10: promoted past w10',
      '4 promote w20: promoted past w20',
      '4 promote promoted: promoted past promoted',
    ]);
    expect(s.end).toEqual({ kind: 'passed', t: 4 });
    const rollback = play(canary(2), (check, t) =>
      t === 1 || (check === 'rate' && t === 3) ? 'fail' : 'pass',
    );
    expect(rollback.end).toEqual({ kind: 'rollback', by: 'rate', t: 4 });
  });

  it('the weight advances only when every check of the interval passed', () => {
    // At 2, rate passes first and p99 fails: Flagger halts (runAnalysis returns false).
    const s = play(canary(5), (check, t) =>
      check === 'rate' ? (t === 1 ? 'fail' : 'pass') : t === 2 ? 'fail' : 'pass',
    );
    expect(s.lines.filter((l) => l.includes('promote w10'))).toEqual([
      '3 promote w10: promoted past w10',
    ]);
    expect(s.measurements.slice(0, 6)).toEqual([
      '1 rate fail→running',
      '1 p99 pass→running',
      '2 rate pass→running',
      '2 p99 fail→running',
      '3 rate pass→running',
      '3 p99 pass→running',
    ]);
  });

  it('blue/green iterations count passing intervals only', () => {
    const blueGreen = `
onInconclusive: abort
stages:
  - name: test
    target: { kind: staging }
    bake: 3m
    checks:
      - { name: rate, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 1m, count: 3, failedChecksThreshold: 5, onMissingData: fail }
  - { name: promoted, target: { kind: fleet, share: 1 } }
`;
    const s = play(blueGreen, (_check, t) => (t === 2 ? 'fail' : 'pass'));
    // Passes at 1, 3 and 4 are the three iterations; the failure at 2 is not one.
    expect(s.lines.filter((l) => l.includes('promote test'))).toEqual([
      '4 promote test: promoted past test',
    ]);
  });
});
