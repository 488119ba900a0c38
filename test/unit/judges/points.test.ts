import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FreshPoints, verdict } from '../../../src/judges/points.js';
import type { MetricPoint } from '../../../src/world/types.js';

const point = (t: number, n = 100, events = 1): MetricPoint => ({
  t,
  value: n > 0 ? events / n : NaN,
  n,
  events,
});

describe('verdict', () => {
  it('writes a lazy reason once, when first read, and never when nobody reads it', () => {
    let calls = 0;
    const line = (): string => {
      calls++;
      return 'p 0.01';
    };
    const unread = verdict('pass', line);
    expect(unread.verdict).toBe('pass');
    expect(calls).toBe(0);
    const read = verdict('fail', line);
    expect(read.reason).toBe('p 0.01');
    expect(read.reason).toBe('p 0.01');
    expect(calls).toBe(1);
  });

  it('drops figures that are not finite numbers, and serialises as a plain result', () => {
    const r = verdict('inconclusive', 'no data', { a: 1, b: NaN, c: Infinity });
    expect(r.figures).toEqual({ a: 1 });
    expect(JSON.parse(JSON.stringify(r))).toEqual({
      verdict: 'inconclusive',
      reason: 'no data',
      figures: { a: 1 },
    });
  });
});

describe('FreshPoints.takePairs', () => {
  it('pairs by time whether or not the two series line up by index', () => {
    const canary = [point(1), point(2), point(3)];
    const aligned = new FreshPoints().takePairs('error_rate', canary, [
      point(1),
      point(2),
      point(3),
    ]);
    expect(aligned.map(([c, b]) => [c.t, b.t])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // The baseline misses t = 1 and has an invalid point at t = 2: only t = 3 pairs.
    const shifted = new FreshPoints().takePairs('error_rate', canary, [point(2, 0, 0), point(3)]);
    expect(shifted.map(([c, b]) => [c.t, b.t])).toEqual([[3, 3]]);
  });

  it('takes each time once, and a canary point waits for its late baseline', () => {
    const fresh = new FreshPoints();
    const canary = [point(1), point(2)];
    expect(fresh.takePairs('error_rate', canary, [point(1)]).length).toBe(1);
    expect(fresh.takePairs('error_rate', canary, [point(1)]).length).toBe(0);
    const late = fresh.takePairs('error_rate', canary, [point(1), point(2)]);
    expect(late.map(([c]) => c.t)).toEqual([2]);
  });
});

describe('FreshPoints skipping a consumed prefix', () => {
  /** The definition: every valid pair whose time was not consumed, by a full scan. */
  class Reference {
    private readonly seen = new Set<number>();
    takePairs(canary: readonly MetricPoint[], baseline: readonly MetricPoint[]): number[] {
      const out: number[] = [];
      for (const c of canary) {
        if (this.seen.has(c.t) || !(c.n > 0)) continue;
        const b = baseline.find((x) => x.t === c.t);
        if (b !== undefined && b.n > 0) out.push(c.t);
      }
      out.sort((a, b) => a - b);
      for (const t of out) this.seen.add(t);
      return out;
    }
  }

  it('takes exactly what a full scan takes, for growing, sliding and late-filled windows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // A window [from, to] over interval ends 0..40; a point may still be missing (late).
            from: fc.integer({ min: 0, max: 20 }),
            length: fc.integer({ min: 0, max: 20 }),
            missing: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (reads) => {
          const fresh = new FreshPoints();
          const reference = new Reference();
          for (const { from, length, missing } of reads) {
            const series = Array.from({ length }, (_, i) =>
              missing.includes(from + i) ? point(from + i, 0, 0) : point(from + i),
            );
            const got = fresh.takePairs('error_rate', series, series).map(([c]) => c.t);
            expect(got).toEqual(reference.takePairs(series, series));
          }
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });
});
