import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BumpedCurve,
  ConstantCurve,
  DiurnalCurve,
  firstTimeAtLeast,
  inverseIntegral,
} from '../../../src/world/traffic.js';

const config = { diurnalAmplitude: 0.35, peakHourLocal: 14, weekendFactor: 0.6 };

/** A midpoint Riemann sum with a fine step: an independent check of the closed forms. */
function numeric(f: (t: number) => number, a: number, b: number, step = 0.01): number {
  let s = 0;
  for (let t = a + step / 2; t < b; t += step) s += f(t) * step;
  return s;
}

describe('DiurnalCurve', () => {
  const curve = new DiurnalCurve(config, -5);

  it('peaks at 1 at the local peak hour on a weekday and bottoms at 1 − 2a', () => {
    // Tuesday 14:00 local = 19:00 UTC.
    const tuesdayPeak = 1440 + 19 * 60;
    expect(curve.share(tuesdayPeak)).toBeCloseTo(1, 12);
    expect(curve.share(tuesdayPeak + 720)).toBeCloseTo(1 - 2 * 0.35, 12);
  });

  it('applies the weekend factor on local Saturday and Sunday only', () => {
    const saturdayPeak = 5 * 1440 + 19 * 60;
    expect(curve.share(saturdayPeak)).toBeCloseTo(0.6, 12);
    // Saturday 02:00 UTC is still Friday 21:00 local.
    expect(curve.localDay(5 * 1440 + 120)).toBe(4);
  });

  it('integrates exactly (matches a fine numeric sum, across day and weekend boundaries)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20000, noNaN: true }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        (a, len) => {
          const b = a + len;
          const exact = curve.integral(a, b);
          const approx = numeric((t) => curve.share(t), a, b, 0.01);
          // A step at a weekend boundary costs the Riemann sum at most one step's worth at each edge.
          expect(Math.abs(exact - approx)).toBeLessThan(0.02 + 1e-6 * len);
        },
      ),
      { seed: 4, numRuns: 40 },
    );
  });

  it('remembers edges exactly: any order of calls gives each interval the value a fresh curve gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20000 }), fc.integer({ min: 1, max: 30 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (spans) => {
          const used = new DiurnalCurve(config, -5);
          for (const [a, len] of spans) {
            // Consecutive intervals share an edge; the next span jumps anywhere.
            for (const [x, y] of [
              [a, a + len],
              [a + len, a + 2 * len],
              [a - len, a],
            ] as const)
              expect(used.integral(x, y)).toBe(new DiurnalCurve(config, -5).integral(x, y));
          }
        },
      ),
      { seed: 9, numRuns: 60 },
    );
  });

  it('inverseIntegral finds the time a given number of share-minutes accumulates', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 15000, noNaN: true }),
        fc.double({ min: 1, max: 4000, noNaN: true }),
        (from, target) => {
          const t = inverseIntegral(curve, from, target, from + 100000);
          expect(curve.integral(from, t)).toBeCloseTo(target, 4);
        },
      ),
      { seed: 5, numRuns: 50 },
    );
    expect(inverseIntegral(curve, 0, 1e9, 1000)).toBe(Infinity);
  });

  it('firstTimeAtLeast finds the first crossing of a load level', () => {
    const from = 1440 + 5 * 60; // Tuesday 00:00 local
    const t = firstTimeAtLeast(curve, from, 0.9, from + 5000);
    expect(curve.share(t)).toBeGreaterThanOrEqual(0.9 - 1e-6);
    for (let s = from; s < t - 0.01; s += 1) expect(curve.share(s)).toBeLessThan(0.9);
    expect(firstTimeAtLeast(curve, from, 1.5, from + 20000)).toBe(Infinity);
  });
});

describe('BumpedCurve', () => {
  it('multiplies the base over the bump window and integrates exactly', () => {
    const base = new ConstantCurve(0.5);
    const c = new BumpedCurve(base, [{ start: 100, end: 130, multiplier: 3 }]);
    expect(c.share(99)).toBe(0.5);
    expect(c.share(100)).toBe(1.5);
    expect(c.integral(90, 140)).toBeCloseTo(0.5 * 50 + 2 * 0.5 * 30, 12);
  });
});

describe('BumpedCurve with many bumps', () => {
  /** The definition, bump by bump over all of them: what the indexed search must equal. */
  function naive(base: DiurnalCurve, bumps: { start: number; end: number; multiplier: number }[]) {
    const factor = (t: number) => {
      let f = 1;
      for (const b of bumps) if (t >= b.start && t < b.end) f *= b.multiplier;
      return f;
    };
    return {
      share: (t: number) => base.share(t) * factor(t),
      integral: (a: number, b: number) => {
        if (b <= a) return 0;
        let total = base.integral(a, b);
        const cuts = [a, b];
        for (const x of bumps) {
          if (x.start > a && x.start < b) cuts.push(x.start);
          if (x.end > a && x.end < b) cuts.push(x.end);
        }
        cuts.sort((x, y) => x - y);
        for (let i = 0; i + 1 < cuts.length; i++) {
          const f = factor((cuts[i]! + cuts[i + 1]!) / 2);
          if (cuts[i + 1]! > cuts[i]! && f !== 1)
            total += (f - 1) * base.integral(cuts[i]!, cuts[i + 1]!);
        }
        return total;
      },
    };
  }

  it('gives exactly what scanning every bump gives, overlapping and touching bumps included', () => {
    const bump = fc
      .tuple(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0.2, max: 4, noNaN: true }),
      )
      .map(([start, len, multiplier]) => ({ start, end: start + len, multiplier }));
    fc.assert(
      fc.property(
        fc.array(bump, { maxLength: 60 }),
        fc.array(fc.tuple(fc.integer({ min: -100, max: 5400 }), fc.integer({ min: 0, max: 400 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (bumps, spans) => {
          const curveBase = new DiurnalCurve(config, 2);
          const curve = new BumpedCurve(curveBase, bumps);
          const reference = naive(new DiurnalCurve(config, 2), bumps);
          for (const [a, len] of spans) {
            expect(curve.integral(a, a + len)).toBe(reference.integral(a, a + len));
            expect(curve.share(a)).toBe(reference.share(a));
            for (const x of bumps.slice(0, 3))
              expect(curve.share(x.end)).toBe(reference.share(x.end));
          }
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});
