import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import type { DraftCheck, DraftPolicy, SourceRef } from '../../../src/import/draft.js';
import { noted, writePolicy } from '../../../src/import/draft.js';
import { pathSegments, sourceOf, validateImported } from '../../../src/import/validate.js';

const at = (file: string, path: string): SourceRef => ({ file, path });

function check(from: string, over: Partial<DraftCheck> = {}): DraftCheck {
  return {
    at: at('t.yaml', from),
    about: [],
    name: noted('c', '', at('t.yaml', `${from}.name`)),
    metric: noted('error_rate', ''),
    judge: noted({ kind: 'threshold', max: 0.01 }, '', at('t.yaml', `${from}.condition`)),
    compare: noted('absolute', ''),
    scope: noted('new', ''),
    interval: noted(1, '', at('t.yaml', `${from}.interval`)),
    ...over,
  };
}

function policy(over: Partial<DraftPolicy> = {}): DraftPolicy {
  return {
    at: at('r.yaml', ''),
    header: [],
    description: noted('d', ''),
    stages: [
      {
        at: at('r.yaml', 'steps[0]'),
        about: [],
        name: noted('one', ''),
        target: noted({ kind: 'fleet', share: 0.5 }, '', at('r.yaml', 'steps[0].setWeight')),
        bake: noted(5, ''),
        approval: noted({ kind: 'automatic' }, ''),
        checks: [check('metrics[0]')],
      },
      {
        at: at('r.yaml', 'steps[2]'),
        about: [],
        name: noted('two', ''),
        target: noted({ kind: 'fleet', share: 1 }, ''),
        bake: noted(0, ''),
        approval: noted({ kind: 'automatic' }, ''),
        checks: [],
      },
    ],
    watch: {
      at: at('w.yaml', 'bake'),
      about: [],
      duration: noted(10, ''),
      checks: [check('alarms[0]')],
    },
    ...over,
  };
}

function message(p: DraftPolicy): string {
  try {
    validateImported(p, writePolicy(p));
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

describe('pathSegments', () => {
  it('splits a loader path into keys and indices', () => {
    expect(pathSegments('stages[2].checks[0].judge.min')).toEqual([
      'stages',
      2,
      'checks',
      0,
      'judge',
      'min',
    ]);
    expect(pathSegments('')).toEqual([]);
    expect(pathSegments('watch.checks[1].interval')).toEqual(['watch', 'checks', 1, 'interval']);
  });
});

describe('sourceOf: the nearest source a policy path came from', () => {
  const p = policy();
  it('a noted field with a source names it; without one, its check, stage, watch or document', () => {
    expect(sourceOf(p, 'stages[0].checks[0].interval')).toEqual(
      at('t.yaml', 'metrics[0].interval'),
    );
    expect(sourceOf(p, 'stages[0].checks[0].judge.min')).toEqual(
      at('t.yaml', 'metrics[0].condition'),
    );
    expect(sourceOf(p, 'stages[0].checks[0].metric')).toEqual(at('t.yaml', 'metrics[0]'));
    expect(sourceOf(p, 'stages[0].checks[0]')).toEqual(at('t.yaml', 'metrics[0]'));
    expect(sourceOf(p, 'stages[0].target.share')).toEqual(at('r.yaml', 'steps[0].setWeight'));
    expect(sourceOf(p, 'stages[1].target')).toEqual(at('r.yaml', 'steps[2]'));
    expect(sourceOf(p, 'stages[1].checks[3].name')).toEqual(at('r.yaml', 'steps[2]'));
    expect(sourceOf(p, 'watch.checks[0].interval')).toEqual(at('t.yaml', 'alarms[0].interval'));
    expect(sourceOf(p, 'watch.duration')).toEqual(at('w.yaml', 'bake'));
    expect(sourceOf(p, 'rollback.minutesPerBatch')).toEqual(at('r.yaml', ''));
    expect(sourceOf(p, 'constructor')).toEqual(at('r.yaml', ''));
    expect(sourceOf(p, '')).toEqual(at('r.yaml', ''));
  });
});

describe('validateImported', () => {
  it('accepts a policy the loader accepts', () => {
    const p = policy();
    expect(() => validateImported(p, writePolicy(p))).not.toThrow();
  });

  it('a rejected value is reported at its source field, once however many stages repeat it', () => {
    const bad = check('metrics[0]', {
      judge: noted({ kind: 'threshold', min: 2, max: 1 }, '', at('t.yaml', 'metrics[0].range')),
    });
    const p = policy();
    p.stages[0]!.checks = [bad];
    p.stages[1]!.checks = [bad];
    expect(message(p)).toMatchInlineSnapshot(
      `"t.yaml: metrics[0].range: gatesim cannot import this: the policy it makes is invalid at stages[0].checks[0].judge.min: expected min ≤ max"`,
    );
  });

  it('problems from several files name each file', () => {
    const p = policy({ maxBatchShare: noted(3, '', at('cfg.json', 'minimumHealthyHosts')) });
    p.watch!.checks = [check('alarms[0]', { interval: noted(0, '', at('al.json', '[0].Period')) })];
    expect(message(p)).toMatchInlineSnapshot(`
      "cfg.json: minimumHealthyHosts: gatesim cannot import this: the policy it makes is invalid at maxBatchShare: expected a share in (0, 1], got 3
      al.json: [0].Period: gatesim cannot import this: the policy it makes is invalid at watch.checks[0].interval: expected a duration > 0 such as 30s, 10m, 2h or a number of minutes, got "0m""
    `);
  });
});
