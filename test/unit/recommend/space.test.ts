import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { loadSpace, parseSpace } from '../../../src/recommend/space.js';

const ROOT = resolve(import.meta.dirname, '../../..');

const SKELETON = `
skeleton:
  stages:
    - name: canary
      target: { kind: fleet, share: 0.1 }
      bake: 1h
      checks:
        - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 5m }
    - name: everywhere
      target: { kind: fleet, share: 1 }
`;

function issues(text: string): string[] {
  try {
    parseSpace(text, 'space.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('space files', () => {
  it('the built-in space loads, and every dimension the issue lists is in it', () => {
    const space = loadSpace(join(ROOT, 'recommend/space.yaml'));
    const names = space.dimensions.map((d) => d.name);
    for (const n of [
      'canary',
      'baseline',
      'warm-up',
      'error-judge',
      'latency-judge',
      'memory-check',
      'canary-bake',
      'rollout',
      'watch-length',
      'watch-alert-scope',
      'business-check',
      'deploy-windows',
      'failure-limit',
    ])
      expect(names).toContain(n);
    expect(space.fromPolicies).toEqual(['ciTests']);
  });

  it('reads choices, numbers (durations in minutes, sorted), defaults and nested numbers', () => {
    const space = parseSpace(
      `${SKELETON}
dimensions:
  - name: bake
    values: [2h, 30m, 1h]
    default: 1h
    set: { 'stages[name=canary].bake': $bake }
  - name: judge
    default: strict
    choose:
      - name: loose
        set: { 'stages[*].checks[name=errors].judge.max': $loose-max }
        numbers:
          loose-max: { values: [0.02, 0.05] }
      - name: strict
        set: { 'stages[*].checks[name=errors].judge.max': 0.005 }
`,
      'space.yaml',
    );
    const [bake, judge, looseMax] = space.dimensions;
    expect(bake).toMatchObject({
      kind: 'number',
      values: [30, 60, 120],
      unit: 'duration',
      defaultIndex: 1,
    });
    expect(judge).toMatchObject({ kind: 'choice', defaultIndex: 1 });
    expect(looseMax).toMatchObject({
      kind: 'number',
      name: 'loose-max',
      values: [0.02, 0.05],
      unit: 'number',
      owner: { dimension: 'judge', alternative: 'loose' },
    });
  });

  it('an unknown field is an error naming the file and the path, with a "did you mean"', () => {
    expect(
      issues(`${SKELETON}
dimensions:
  - name: bake
    valuse: [30m, 1h]
`),
    ).toEqual([
      'dimensions[0].valuse: unknown key `valuse`; did you mean `values`?',
      'dimensions[0]: expected `choose` (alternatives) or `values` (numbers)',
    ]);
    expect(() => parseSpace(`${SKELETON}dimensions: []\nextra: 1\n`, 'my-space.yaml')).toThrow(
      /^my-space\.yaml: extra: unknown key `extra`/,
    );
  });

  it('names references, `when`, defaults and fromPolicies that point nowhere', () => {
    expect(
      issues(`${SKELETON}
fromPolicies: [ciTest]
dimensions:
  - name: bake
    values: [30m, 1h]
    default: 2h
    set: { 'stages[name=canary].bake': $bak }
  - name: judge
    default: lose
    when: { bake: [x] }
    choose:
      - name: loose
        set: { 'stages[*].checks[name=errors].judge.max': 0.02 }
  - name: other
    when: { judge: [loos] }
    values: [1]
    set: { 'stages[name=canary].bake': $bake }
`),
    ).toEqual([
      'fromPolicies[0]: expected a top-level policy key (`description`, `ciTests`, `rollbackDrill`, `maxBatchShare`, `rollback`, `onInconclusive`, `manualResume`, `stages` or `watch`), got "ciTest"; did you mean `ciTests`?',
      'dimensions[0].default: expected one of the values (30, 60), got "2h"',
      'dimensions[1].default: expected the name of an alternative (`loose`), got "lose"; did you mean `loose`?',
      'dimensions[1].when.bake: `bake` is a number, not a choice',
      'dimensions[2].when.judge: `judge` has no alternative `loos`; did you mean `loose`? (it has `loose`)',
      'dimensions[0].set["stages[name=canary].bake"]: `$bak` names no number dimension; did you mean `bake`? (numbers: `bake` or `other`; built-in: `fleet.largest-region`, `fleet.smallest-region` or `fleet.first-region`)',
    ]);
  });

  it('a path that cannot parse, or selects nothing in the skeleton, is an error saying where it stops', () => {
    expect(
      issues(`${SKELETON}
dimensions:
  - name: bake
    values: [30m]
    set: { 'stages[name=canry].bake': $bake }
  - name: scope
    choose:
      - name: x
        set: { 'stages[name=canary].checks[?].baselineScope': fleet }
      - name: y
        remove: 'stages[*].checks[nmae=errors]'
`),
    ).toEqual([
      'dimensions[1].choose[0].set["stages[name=canary].checks[?].baselineScope"]: expected [N], [-N], [*], [field=value] or [field!=value] in "stages[name=canary].checks[?].baselineScope", got [?]',
      'dimensions[0].set["stages[name=canry].bake"]: selects nothing in the skeleton (with the other dimensions at their defaults, or one changed): stages has no item with name=canry (name: `canary` or `everywhere`); did you mean `canary`?',
      'dimensions[1].choose[1].remove: selects nothing in the skeleton (with the other dimensions at their defaults, or one changed): stages[*].checks has no item with a nmae',
    ]);
  });

  it('a removal of what the skeleton lacks is allowed when its path leads somewhere (it applies to given policies)', () => {
    expect(
      issues(`${SKELETON}
dimensions:
  - name: staging
    choose:
      - name: none
        remove: 'stages[target.kind=staging]'
`),
    ).toEqual([]);
  });

  it('an operation may rely on a stage another dimension adds', () => {
    expect(
      issues(`${SKELETON}
dimensions:
  - name: staging
    choose:
      - name: none
        remove: 'stages[name=staging]'
      - name: staging
        append: { stages: { name: staging, target: { kind: staging }, bake: 10m } }
        order: { stages: [staging] }
  - name: staging-bake
    values: [10m, 20m]
    set: { 'stages[name=staging].bake': $staging-bake }
`),
    ).toEqual([]);
  });

  it('an invalid skeleton is reported with its path inside the space file', () => {
    expect(
      issues(`
skeleton:
  stages:
    - name: canary
      target: { kind: fleet, share: 0.1 }
      bake: soon
dimensions: []
`),
    ).toEqual([
      'skeleton.stages[0].bake: expected a duration such as 30s, 10m, 2h or a number of minutes ≥ 0, got "soon"',
    ]);
  });

  it('names must be unique across dimensions and nested numbers, alternatives within a choice', () => {
    expect(
      issues(`${SKELETON}
dimensions:
  - name: bake
    values: [30m]
    set: { 'stages[name=canary].bake': $bake }
  - name: judge
    choose:
      - name: a
        set: { 'stages[*].checks[name=errors].judge.max': $bake }
        numbers: { bake: { values: [1] } }
      - name: a
        set: { 'stages[*].checks[name=errors].judge.max': 0.01 }
`),
    ).toEqual([
      'dimensions[1].choose[1].name: alternative `a` is already used by choose[0]',
      'dimensions[1].choose[0].numbers.bake: the name `bake` is already used by dimensions[0]',
    ]);
  });
});
