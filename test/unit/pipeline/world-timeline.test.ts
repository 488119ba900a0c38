/**
 * A trial's timeline shows what happened in the world next to the decisions (issue 11 §7):
 * every confounder occurrence that overlaps the pipeline's run, where it begins and ends, in
 * time order with the stages and measurements.
 */
import { describe, expect, it } from 'vitest';
import { renderStory } from '../../../src/cli/explain.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { worldEntries } from '../../../src/pipeline/world-timeline.js';
import type { ConfounderInstance } from '../../../src/world/confounders/types.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

describe('worldEntries', () => {
  const at = (start: number, end: number, extra: Partial<ConfounderInstance> = {}) =>
    ({ kind: 'upstream-incident', start, end, region: undefined, ...extra }) as ConfounderInstance;

  it('lists the occurrences that overlap the run, begin and end, relative to the deploy', () => {
    const entries = worldEntries(
      [
        at(50, 90, { region: 'us-east', apply: () => undefined }),
        at(80, 95, { kind: 'metrics-gap', metricsGap: true }),
        at(10, 20), // over before the deploy
        at(500, 600), // after the run
        at(90, 300, { kind: 'metrics-delay', metricsDelayMin: 5 }), // ends after the run
      ],
      60, // the deploy started here
      200,
    );
    expect(entries).toEqual([
      {
        t: -10,
        kind: 'world',
        message:
          'upstream-incident in us-east begins: old and new hosts alike affected; lasts 40.0 min (under way when the deploy started)',
      },
      { t: 30, kind: 'world', message: 'upstream-incident in us-east ends' },
      {
        t: 20,
        kind: 'world',
        message: 'metrics-gap fleet-wide begins: metric points missing; lasts 15.0 min',
      },
      { t: 35, kind: 'world', message: 'metrics-gap fleet-wide ends' },
      {
        t: 30,
        kind: 'world',
        message:
          'metrics-delay fleet-wide begins: metric points arrive 5.0 min late; lasts 210.0 min',
      },
    ]);
  });
});

describe('explain shows confounders between the decisions', () => {
  it('an upstream incident pinned 12 minutes into the deploy appears at 12 min, in time order', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 0, bad: [] }
confounders:
  - { kind: upstream-incident, ratePerDay: 0, pinned: { probability: 1, at: 12m }, errorAdd: 0.05, duration: 10m }`,
    );
    const p = policy(`
stages:
  - name: canary
    target: { kind: fleet, share: 0.2 }
    bake: 30m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.02 }, interval: 5m, failureLimit: 5 }
  - { name: all, target: { kind: fleet, share: 1 } }
`);
    const { outcome } = runTrial({
      scenario: scenario(text),
      policy: p,
      seed: 2,
      trial: 0,
      timeline: true,
    });
    const timeline = outcome.timeline!;
    const world = timeline.filter((e) => e.kind === 'world');
    expect(world.map((e) => [e.t, e.message])).toEqual([
      [12, 'upstream-incident fleet-wide begins: old and new hosts alike affected; lasts 10.0 min'],
      [22, 'upstream-incident fleet-wide ends'],
    ]);
    // Interleaved by time with the decisions: sorted, with measurements on both sides.
    const ts = timeline.map((e) => e.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const i = timeline.indexOf(world[0]!);
    expect(timeline.slice(0, i).some((e) => e.kind === 'measurement')).toBe(true);
    expect(timeline.slice(i).some((e) => e.kind === 'measurement' && e.verdict === 'fail')).toBe(
      true,
    );
    // And the story prints it on its own line.
    expect(renderStory(outcome)).toMatch(
      /\n\s+12\.0 min {2}world {11}upstream-incident fleet-wide begins: old and new hosts alike affected; lasts 10\.0 min\n/,
    );
  });
});
