import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Evidence } from '../../../src/recommend/evidence.js';
import { commentLines, renderCommented } from '../../../src/recommend/render-yaml.js';
import { evidenceSentence } from '../../../src/recommend/sentences.js';

const base: Evidence = {
  dimension: 'baseline',
  about: '',
  choice: 'same-region',
  active: true,
  against: undefined,
  sameAs: [],
  untried: [],
  rejected: [],
};

describe('evidence in words', () => {
  it('says what the choice fixes and costs against the alternative, with trials to replay', () => {
    const ev: Evidence = {
      ...base,
      against: {
        choice: 'fleet',
        candidate: 3,
        trials: 200,
        fixes: [
          {
            scenario: 'concurrent-deploys',
            bad: 0,
            shippedBad: 0,
            good: 200,
            blockedGood: 41,
            examples: [3, 17, 45],
          },
          {
            scenario: 'mixed-realistic',
            bad: 18,
            shippedBad: 2,
            good: 182,
            blockedGood: 1,
            examples: [7],
          },
        ],
        costs: [],
        leadP90: { answer: 245, other: 245 },
        alsoDiffers: [],
        decidedBy: undefined,
      },
    };
    expect(evidenceSentence(ev)).toBe(
      'baseline: same-region — against fleet (#3, 200 trials per scenario): fixes 41 of 200 good builds blocked on concurrent-deploys (e.g. trials 3, 17, 45); 2 of 18 bad builds shipped and 1 of 182 good builds blocked on mixed-realistic (e.g. trial 7); costs nothing; lead time p90 the same (4.1 h)',
    );
    expect(
      evidenceSentence(
        {
          ...ev,
          against: {
            ...ev.against!,
            fixes: [],
            costs: ev.against!.fixes,
            leadP90: { answer: 60, other: 90 },
          },
        },
        false,
      ),
    ).toBe(
      'baseline: same-region — against fleet (#3, 200 trials per scenario): fixes nothing; costs 41 of 200 good builds blocked on concurrent-deploys; 2 of 18 bad builds shipped and 1 of 182 good builds blocked on mixed-realistic; lead time p90 60 min vs 90 min',
    );
  });

  it('says when the stand-in differs in another choice too, and what decides beyond the loss', () => {
    const ev: Evidence = {
      ...base,
      choice: 'drill',
      dimension: 'rollback-drill',
      against: {
        choice: 'none',
        candidate: 9,
        trials: 50,
        fixes: [],
        costs: [],
        leadP90: { answer: 210, other: 180 },
        alsoDiffers: [{ dimension: 'canary', choice: 'fleet-10' }],
        decidedBy:
          'with the alternative it is significantly worse than truthful on rollback-breaker (shipped-bad)',
      },
    };
    expect(evidenceSentence(ev)).toBe(
      'rollback-drill: drill — against none (#9, which also has canary: fleet-10, 50 trials per scenario): fixes nothing; costs nothing; lead time p90 3.5 h vs 3 h; with the alternative it is significantly worse than truthful on rollback-breaker (shipped-bad)',
    );
  });

  it('says when nothing was compared, and why', () => {
    expect(evidenceSentence({ ...base, untried: ['fleet'] })).toBe(
      'baseline: same-region — not compared: fleet was not run',
    );
    expect(
      evidenceSentence({ ...base, rejected: ['fresh'], untried: ['fleet', 'truthful as given'] }),
    ).toBe(
      'baseline: same-region — not compared: fresh builds no valid policy here; fleet, truthful as given were not run',
    );
    expect(evidenceSentence({ ...base, sameAs: ['fleet'] })).toBe(
      'baseline: same-region — every other option builds the same policy here',
    );
    expect(evidenceSentence({ ...base, active: false })).toBe(
      'baseline: same-region — does not apply to this policy (its patch selects nothing here)',
    );
  });
});

describe('the commented YAML', () => {
  it('puts each note above the node it is about, outside one-line mappings, and the header on top', () => {
    const check = {
      name: 'errors',
      judge: { kind: 'relative', maxIncrease: 0.003 },
      baselineScope: 'region',
    };
    const stage = {
      name: 'canary',
      target: { kind: 'fleet', share: 0.1 },
      bake: '30m',
      checks: [check],
    };
    const data = { description: 'x', stages: [stage] };
    const text = renderCommented(data, commentLines('Recommended, with reasons.'), [
      {
        touches: [{ container: check.judge, key: 'maxIncrease' }],
        lines: commentLines('effect: 0.003'),
      },
      {
        touches: [{ container: check, key: 'baselineScope' }],
        lines: commentLines('baseline: same-region'),
      },
      {
        touches: [
          { container: {}, key: 'gone' },
          { container: stage, key: 'bake' },
        ],
        lines: commentLines('bake: 30m'),
      },
    ]);
    expect(text).toBe(
      [
        '# Recommended, with reasons.',
        '',
        'description: x',
        'stages:',
        '  - name: canary',
        '    target: { kind: fleet, share: 0.1 }',
        '    # bake: 30m',
        '    bake: 30m',
        '    checks:',
        '      - name: errors',
        '        # effect: 0.003',
        '        judge: { kind: relative, maxIncrease: 0.003 }',
        '        # baseline: same-region',
        '        baselineScope: region',
        '',
      ].join('\n'),
    );
    expect(parse(text)).toEqual(data);
  });

  it('wraps long comments', () => {
    const lines = commentLines('word '.repeat(40).trim(), 30, '  ');
    expect(lines.every((l) => l.length <= 31)).toBe(true);
    expect(lines[1]!.startsWith('   word')).toBe(true);
  });
});
