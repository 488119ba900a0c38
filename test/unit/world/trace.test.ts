import fc from 'fast-check';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import {
  loadTrace,
  parseTimestamp,
  parseTrace,
  traceCurve,
  TRACE_FLOOR_SHARE,
} from '../../../src/world/trace.js';
import { inverseIntegral } from '../../../src/world/traffic.js';
import { MAX_TRACE_BYTES } from '../../../src/util/limits.js';

const REAL = join(import.meta.dirname, '..', '..', '..', 'data', 'real-metrics');

/** A midpoint Riemann sum: an independent check of the exact integral. */
function numeric(f: (t: number) => number, a: number, b: number, step: number): number {
  let s = 0;
  const n = Math.max(1, Math.round((b - a) / step));
  const h = (b - a) / n;
  for (let i = 0; i < n; i++) s += f(a + (i + 0.5) * h) * h;
  return s;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  return 'no error';
}

// Hourly rows; values chosen so the 95th percentile is easy to compute by hand.
const SMALL = [
  '"TimeStamp","Value","Label"',
  '"2018-03-15T00:00:00Z",10,0',
  '"2018-03-15T01:00:00Z",20,0',
  '"2018-03-15T02:00:00Z",40,1',
  '"2018-03-15T03:00:00Z",30,0',
  '"2018-03-15T04:00:00Z",20,0',
].join('\r\n');

describe('parseTrace', () => {
  const trace = parseTrace(SMALL, 'small.csv');

  it('reads Microsoft-style rows: times from the first row, values, labels', () => {
    expect([...trace.times]).toEqual([0, 60, 120, 180, 240]);
    expect([...trace.values]).toEqual([10, 20, 40, 30, 20]);
    expect([...trace.labels!]).toEqual([0, 0, 1, 0, 0]);
    expect(trace.step).toBe(60);
    expect(trace.period).toBe(300);
    // Type-7 quantile of [10, 20, 20, 30, 40] at 0.95: h = 3.8 → 30 + 0.8·(40 − 30) = 38.
    expect(trace.peak).toBeCloseTo(38, 12);
    // 2018-03-15 was a Thursday: the next Monday 00:00 is four days on.
    expect(trace.mondayOffset).toBe(4 * 1440);
  });

  it('reads NAB-style rows (space-separated time, no zone = UTC) and merges repeated timestamps', () => {
    const t = parseTrace(
      'timestamp,value\n2014-04-10 00:04:00,94.0\n2014-04-10 00:09:00,56.0\n2014-04-10 00:09:00,60.0\n2014-04-10 00:14:00,187.0\n',
      'nab.csv',
    );
    expect([...t.times]).toEqual([0, 5, 10]);
    expect([...t.values]).toEqual([94, 58, 187]);
    expect(t.labels).toBeUndefined();
    expect(t.startEpochSeconds).toBe(Date.UTC(2014, 3, 10, 0, 4) / 1000);
  });

  it('places rows by stepMinutes when asked, ignoring timestamps', () => {
    const t = parseTrace('value\n1\n2\n3\n', 'v.csv', { stepMinutes: 10 });
    expect([...t.times]).toEqual([0, 10, 20]);
    expect(t.period).toBe(30);
    expect(t.mondayOffset).toBeUndefined();
  });

  it('reports bad rows with file, line and column', () => {
    expect(
      errorOf(() => parseTrace('timestamp,value\n2018-01-01,1\n2018-01-02,abc\n', 't.csv')),
    ).toMatchInlineSnapshot(`"t.csv:3:12: expected a number in column "value", got "abc""`);
    expect(
      errorOf(() => parseTrace('timestamp,value\nyesterday,1\n', 't.csv')),
    ).toMatchInlineSnapshot(
      `"t.csv:2:1: expected an ISO 8601 time or epoch seconds in column "timestamp", got "yesterday""`,
    );
    expect(
      errorOf(() => parseTrace('timestamp,value\n2018-01-02,1\n2018-01-01,2\n', 't.csv')),
    ).toMatchInlineSnapshot(
      `"t.csv:3:1: timestamps must not go backwards (sort the file by time)"`,
    );
    expect(errorOf(() => parseTrace('time,val\n1,2\n', 't.csv'))).toMatchInlineSnapshot(
      `"t.csv:1:1: expected a header with columns timestamp and value (and optionally label), got "time,val""`,
    );
    expect(
      errorOf(() => traceCurve(parseTrace('timestamp,value\n1,0\n2,0\n', 't.csv'), 0)),
    ).toMatchInlineSnapshot(`"t.csv: the trace carries no load (its 95th percentile is 0)"`);
  });

  it('names the lines when every row has the same timestamp', () => {
    expect(
      errorOf(() =>
        parseTrace('timestamp,value\n2018-01-01,1\n2018-01-01,2\n2018-01-01,3\n', 't.csv'),
      ),
    ).toMatchInlineSnapshot(
      `"t.csv:2:1: all 3 rows with values (lines 2 to 4) have the same timestamp; a trace needs at least two times"`,
    );
  });
});

describe('loadTrace limits', () => {
  it('refuses a file over 64 MiB before reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatesim-trace-'));
    try {
      const file = join(dir, 'huge.csv');
      writeFileSync(file, '');
      truncateSync(file, MAX_TRACE_BYTES + 1);
      expect(errorOf(() => loadTrace(file))).toBe(
        `${file}: the file is 64 MiB (${MAX_TRACE_BYTES + 1} bytes), over the 64 MiB limit for traces (gatesim's limit, see Limits in docs/formats.md)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseTimestamp', () => {
  it('reads ISO 8601 with and without zones, and epoch seconds', () => {
    expect(parseTimestamp('1970-01-01T00:01:00Z')).toBe(60);
    expect(parseTimestamp('1970-01-01 00:01:00')).toBe(60);
    expect(parseTimestamp('1970-01-01T01:01:00+01:00')).toBe(60);
    expect(parseTimestamp('1970-01-01T00:01:00.250Z')).toBe(60.25);
    expect(parseTimestamp('2014-04-12 09:04:00.000000')).toBe(Date.UTC(2014, 3, 12, 9, 4) / 1000);
    expect(parseTimestamp('1521072000')).toBe(1521072000);
    expect(parseTimestamp('2018-02-30T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('abc')).toBeUndefined();
  });
});

describe('traceCurve', () => {
  const trace = parseTrace(SMALL, 'small.csv');

  it('interpolates linearly between rows, scaled so the 95th percentile is 1', () => {
    const c = traceCurve(trace, 0);
    expect(c.share(0)).toBeCloseTo(10 / 38, 12);
    expect(c.share(90)).toBeCloseTo(30 / 38, 12);
    expect(c.maxShare).toBeCloseTo(40 / 38, 12);
    expect(c.minShare).toBeCloseTo(10 / 38, 12);
  });

  it('wraps continuously: after the last row it runs back to the first over one step', () => {
    const c = traceCurve(trace, 0);
    // Halfway from the last row (20) back to the first (10).
    expect(c.share(270)).toBeCloseTo(15 / 38, 12);
    for (const edge of [300, 600, -300]) {
      expect(c.share(edge - 1e-7)).toBeCloseTo(c.share(edge), 6);
      expect(c.share(edge + 1e-7)).toBeCloseTo(c.share(edge), 6);
    }
  });

  it('shifts by the offset', () => {
    const a = traceCurve(trace, 0);
    const b = traceCurve(trace, 125);
    for (const t of [0, 17, 250, 1000]) expect(b.share(t)).toBeCloseTo(a.share(t + 125), 12);
  });

  it('raises points below 1% of the peak to 1%, so the load never reaches zero', () => {
    const t = parseTrace('value\n0\n100\n100\n100\n', 'z.csv', { stepMinutes: 1 });
    const c = traceCurve(t, 0);
    expect(c.share(0)).toBe(TRACE_FLOOR_SHARE);
    expect(c.minShare).toBe(TRACE_FLOOR_SHARE);
  });

  it('integrates exactly: matches a fine numeric sum over any span, across wraps and offsets', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2000, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 1500, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        (a, len, offset) => {
          const c = traceCurve(trace, offset);
          const exact = c.integral(a, a + len);
          const approx = numeric((t) => c.share(t), a, a + len, 0.05);
          // The midpoint rule is exact on linear pieces; only the kinks cost O(step²).
          expect(Math.abs(exact - approx)).toBeLessThan(1e-3 + 1e-6 * len);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  it('one full period integrates to the trapezoid sum of the rows (wrap segment included)', () => {
    const c = traceCurve(trace, 0);
    // Trapezoids: (10+20)/2·60 + (20+40)/2·60 + (40+30)/2·60 + (30+20)/2·60 + (20+10)/2·60 = 7200.
    expect(c.integral(0, 300)).toBeCloseTo(7200 / 38, 9);
    expect(c.integral(300, 900)).toBeCloseTo((2 * 7200) / 38, 9);
  });

  it('works with inverseIntegral as any load curve does', () => {
    const c = traceCurve(trace, 33);
    const t = inverseIntegral(c, 10, 50, 10_000);
    expect(c.integral(10, t)).toBeCloseTo(50, 4);
  });
});

describe('loadTrace on the real files', () => {
  it('reads the Microsoft e-commerce request rate once and caches it by path', () => {
    const file = join(
      REAL,
      'microsoft-cloud-monitoring',
      'ecommerce-api-incoming-rps',
      'api-01.csv',
    );
    const a = loadTrace(file);
    expect(loadTrace(file)).toBe(a);
    // 6192 rows, one repeated timestamp merged; hourly.
    expect(a.values.length).toBe(6191);
    expect(a.step).toBe(60);
    const curve = traceCurve(a, 0);
    // The 95th percentile maps to 1, so about 5% of hours sit above it.
    let above = 0;
    for (const t of a.times) if (curve.share(t) > 1) above++;
    expect(above / a.times.length).toBeGreaterThan(0.04);
    expect(above / a.times.length).toBeLessThan(0.06);
  });

  it('reads a NAB file', () => {
    const t = loadTrace(join(REAL, 'nab', 'realKnownCause', 'nyc_taxi.csv'));
    expect(t.step).toBe(30);
    expect(t.values.length).toBe(10320);
  });
});
