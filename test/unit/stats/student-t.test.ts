import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incompleteBeta, studentTCdf } from '../../../src/stats/student-t.js';
import { normalCdf } from '../../../src/stats/special.js';

describe("Student's t CDF", () => {
  it('matches the closed forms for 1 (Cauchy) and 2 degrees of freedom', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), (t) => {
        expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
        expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
      }),
      { numRuns: 2000 },
    );
    // Near 0, where ν/(ν + t²) rounds to 1: the slope 1/π must survive (to the 1e-16 a CDF near 0.5 holds).
    for (const t of [1e-12, -1e-9, 3e-7])
      expect(studentTCdf(t, 1) - 0.5).toBeCloseTo(Math.atan(t) / Math.PI, 15);
  });

  it('gives the textbook critical values (two-sided 5% and one-sided 5% tables)', () => {
    // Student's t table (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
    const table: [number, number, number][] = [
      [3, 2.353, 0.95],
      [3, 3.182, 0.975],
      [10, 2.228, 0.975],
      [10, 1.812, 0.95],
      [30, 2.042, 0.975],
      [5, 4.032, 0.995],
    ];
    for (const [nu, t, p] of table) expect(studentTCdf(t, nu)).toBeCloseTo(p, 3);
  });

  it('is symmetric, monotone, and tends to the normal as the degrees of freedom grow', () => {
    expect(studentTCdf(0, 4)).toBe(0.5);
    for (const t of [-3, -1, 0.5, 2]) {
      expect(studentTCdf(t, 7) + studentTCdf(-t, 7)).toBeCloseTo(1, 14);
      expect(studentTCdf(t, 1e6)).toBeCloseTo(normalCdf(t), 5);
    }
    expect(studentTCdf(1, 3)).toBeLessThan(studentTCdf(1.1, 3));
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
  });

  it('computes the incomplete beta at its closed forms: I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b', () => {
    for (const x of [0.01, 0.3, 0.7, 0.99]) {
      expect(incompleteBeta(x, 2.5, 1)).toBeCloseTo(x ** 2.5, 13);
      expect(incompleteBeta(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 13);
    }
  });
});
