/** The settings the tuner tries: grids, the Latin hypercube and the halving schedule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import {
  cartesian,
  gridValues,
  hypercubeCandidates,
  latinHypercube,
  roundValue,
} from '../../../src/tune/design.js';
import { parseParamSpec } from '../../../src/tune/params.js';
import { designCandidates, halvingSchedule, paramNames } from '../../../src/tune/search.js';
import type { TunedParam } from '../../../src/tune/template.js';

function param(text: string, extra: Partial<TunedParam> = {}): TunedParam {
  const spec = parseParamSpec(text);
  return {
    ...spec,
    unit: spec.durationWritten ? 'duration' : 'number',
    integer: false,
    original: undefined,
    style: spec.durationWritten ? 'duration-string' : 'number',
    ...extra,
  };
}

describe('grids', () => {
  it('spaces values evenly, linearly or on a log scale, ends included, without float noise', () => {
    expect(gridValues(param('a.b=0.01..0.02'), 5)).toEqual([0.01, 0.0125, 0.015, 0.0175, 0.02]);
    expect(gridValues(param('a.b=0.1..0.3'), 3)).toEqual([0.1, 0.2, 0.3]);
    expect(gridValues(param('a.b=1..100:log'), 3)).toEqual([1, 10, 100]);
    expect(gridValues(param('a.b=1m..1h'), 3)).toEqual([1, 31, 60]);
    // Interior points keep three significant digits, more only where needed to stay distinct.
    expect(gridValues(param('a.b=0.003..0.03:log'), 8)).toEqual([
      0.003, 0.00417, 0.00579, 0.00805, 0.0112, 0.0155, 0.0216, 0.03,
    ]);
    expect(gridValues(param('a.b=0.01..0.02'), 7)).toEqual([
      0.01, 0.0117, 0.0133, 0.015, 0.0167, 0.0183, 0.02,
    ]);
    expect(gridValues(param('a.b=1..1.001'), 3)).toEqual([1, 1.0005, 1.001]);
  });

  it('rounds whole-number fields and drops the duplicates rounding makes', () => {
    expect(gridValues(param('a.b=0..3', { integer: true }), 3)).toEqual([0, 2, 3]);
    expect(gridValues(param('a.b=0..2', { integer: true }), 6)).toEqual([0, 1, 2]);
  });

  it('combines two grids with the first parameter varying slowest', () => {
    expect(
      cartesian([
        [1, 2],
        [10, 20, 30],
      ]),
    ).toEqual([
      [1, 10],
      [1, 20],
      [1, 30],
      [2, 10],
      [2, 20],
      [2, 30],
    ]);
  });

  it('refuses a grid larger than the budget', () => {
    const ps = [param('a.x=0..1:10'), param('a.y=0..1:10')];
    expect(designCandidates(ps, 1, undefined).values).toHaveLength(100);
    expect(() => designCandidates(ps, 1, 50)).toThrow(GatesimError);
    expect(() => designCandidates(ps, 1, 50)).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: the grid has 100 settings (10 × 10), more than --budget 50: give fewer :STEPS or a larger --budget]`,
    );
  });
});

describe('the Latin hypercube', () => {
  it('uses every slice of every dimension exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(1000),
        (n, d, seed) => {
          const pts = latinHypercube(n, d, seed);
          expect(pts).toHaveLength(n);
          for (let j = 0; j < d; j++) {
            const slices = pts.map((p) => Math.floor(p[j]! * n)).sort((a, b) => a - b);
            expect(slices).toEqual(Array.from({ length: n }, (_, i) => i));
            for (const p of pts) {
              expect(p[j]!).toBeGreaterThanOrEqual(0);
              expect(p[j]!).toBeLessThan(1);
            }
          }
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('depends on the seed alone', () => {
    expect(latinHypercube(8, 3, 5)).toEqual(latinHypercube(8, 3, 5));
    expect(latinHypercube(8, 3, 5)).not.toEqual(latinHypercube(8, 3, 6));
    // Adding a dimension leaves the others' draws where they were.
    expect(latinHypercube(8, 3, 5).map((p) => p.slice(0, 2))).toEqual(latinHypercube(8, 2, 5));
  });

  it('snaps parameters with STEPS to their grid and rounds the rest to what the file will hold', () => {
    const ps = [
      param('a.x=0.01..0.02:3'),
      param('a.y=10m..2h'),
      param('a.z=0..10', { integer: true }),
      param('a.w=0.001..0.1:log'),
    ];
    const cands = hypercubeCandidates(ps, 20, 3);
    expect(cands.length).toBeGreaterThan(15);
    for (const [x, y, z, w] of cands) {
      expect([0.01, 0.015, 0.02]).toContain(x);
      expect(Number.isInteger(y)).toBe(true);
      expect(y).toBeGreaterThanOrEqual(10);
      expect(y).toBeLessThanOrEqual(120);
      expect(Number.isInteger(z)).toBe(true);
      expect(Number(w!.toPrecision(3))).toBe(w);
    }
    // Each grid value of the snapped parameter is used about equally often.
    const counts = [0.01, 0.015, 0.02].map((v) => cands.filter((c) => c[0] === v).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    expect(roundValue(ps[1]!, 33.4, true)).toBe(33);
  });
});

describe('successive halving', () => {
  it('doubles the trials and halves the settings down to four finalists at the full count', () => {
    expect(halvingSchedule(32, 200)).toEqual([
      { trials: 25, keep: 32 },
      { trials: 50, keep: 16 },
      { trials: 100, keep: 8 },
      { trials: 200, keep: 4 },
    ]);
    expect(halvingSchedule(12, 100)).toEqual([
      { trials: 25, keep: 12 },
      { trials: 50, keep: 6 },
      { trials: 100, keep: 4 },
    ]);
    // Few trials: fewer rounds (each must add a chunk), so more settings reach the end.
    expect(halvingSchedule(32, 60)).toEqual([
      { trials: 25, keep: 32 },
      { trials: 50, keep: 16 },
      { trials: 60, keep: 8 },
    ]);
    expect(halvingSchedule(3, 500)).toEqual([{ trials: 500, keep: 3 }]);
  });

  it('names parameters by their last key unless two would clash', () => {
    expect(
      paramNames([param('stages[0].bake=1..2'), param('stages[1].checks[0].judge.max=1..2')]),
    ).toEqual(['bake', 'max']);
    expect(paramNames([param('stages[0].bake=1..2'), param('stages[1].bake=1..2')])).toEqual([
      'stages[0].bake',
      'stages[1].bake',
    ]);
  });
});
