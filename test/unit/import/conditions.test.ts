import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConditionSource } from '../../../src/import/conditions.js';
import { analyseConditions, argoPhase } from '../../../src/import/conditions.js';
import { parseExpr } from '../../../src/import/expr/parse.js';
import { GatesimError } from '../../../src/errors.js';
import { SourceNode } from '../../../src/import/source.js';

function cond(text: string, key = 'successCondition'): ConditionSource {
  return { text, node: new SourceNode('at.yaml', `spec.metrics[0].${key}`, text) };
}

function failure(text: string): ConditionSource {
  return cond(text, 'failureCondition');
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

describe("Argo's measurement rule (utils/evaluate/evaluate.go)", () => {
  const s = parseExpr('result >= 0.95');
  const f = parseExpr('result < 0.9');

  it('no conditions: Successful', () => {
    expect(argoPhase(undefined, undefined, 0.1)).toBe('pass');
  });

  it('only successCondition: failed when not success', () => {
    expect(argoPhase(s, undefined, 0.97)).toBe('pass');
    expect(argoPhase(s, undefined, 0.92)).toBe('fail');
  });

  it('only failureCondition: successful when not failed', () => {
    expect(argoPhase(undefined, f, 0.92)).toBe('pass');
    expect(argoPhase(undefined, f, 0.5)).toBe('fail');
  });

  it('both: failure wins when both hold; neither holding is Inconclusive', () => {
    expect(argoPhase(s, f, 0.97)).toBe('pass');
    expect(argoPhase(s, f, 0.5)).toBe('fail');
    expect(argoPhase(s, f, 0.92)).toBe('inconclusive');
    const overlap = parseExpr('result > 0.5');
    expect(argoPhase(overlap, parseExpr('result > 0.8'), 0.9)).toBe('fail');
  });

  it('an evaluation error is Error', () => {
    expect(argoPhase(parseExpr('result[0] >= 0.95'), undefined, [])).toBe('error');
  });
});

describe('analyseConditions', () => {
  it('success rate ≥ 0.95: passes from 0.95 up; an empty result is Error, NaN fails', () => {
    const a = analyseConditions(cond('result[0] >= 0.95'), undefined);
    expect(a.passRange).toEqual({ lo: 0.95, hi: Infinity });
    expect(a.shape).toBe('list');
    expect(a.missing).toBe('error');
    expect(a.nan).toBe('fail');
    expect(a.inconclusive).toEqual([]);
  });

  it('a len(result) guard makes no data a failure instead of an error', () => {
    const a = analyseConditions(cond('len(result) > 0 && result[0] >= 0.95'), undefined);
    expect(a.passRange).toEqual({ lo: 0.95, hi: Infinity });
    expect(a.missing).toBe('fail');
  });

  it('isNaN(result[0]) || … lets NaN pass', () => {
    const a = analyseConditions(cond('isNaN(result[0]) || result[0] <= 0.01'), undefined);
    expect(a.passRange).toEqual({ lo: -Infinity, hi: 0.01 });
    expect(a.nan).toBe('pass');
    expect(a.missing).toBe('error');
  });

  it('a failureCondition alone: the complement passes, and missing data passes too', () => {
    const a = analyseConditions(undefined, failure('result > 0.05'));
    expect(a.passRange).toEqual({ lo: -Infinity, hi: 0.05 });
    expect(a.shape).toBe('number');
    expect(a.missing).toBe('pass');
  });

  it('success and failure: the band between them is Inconclusive and the judge holds the failure bound', () => {
    const a = analyseConditions(cond('result[0] >= 0.95'), failure('result[0] < 0.9'));
    expect(a.passRange).toEqual({ lo: 0.9, hi: Infinity });
    expect(a.inconclusive).toEqual([
      { lo: 0.9, hi: 0.95, loClosed: true, hiClosed: false, phase: 'inconclusive' },
    ]);
    expect(a.missing).toBe('error');
    expect(a.nan).toBe('inconclusive');
  });

  it('a range with both ends', () => {
    const a = analyseConditions(cond('result > 100 && result < 500'), undefined);
    expect(a.passRange).toEqual({ lo: 100, hi: 500 });
  });

  it('explains conditions a threshold cannot hold, naming the expression', () => {
    expect(message(() => analyseConditions(cond('result != 1'), undefined))).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: successCondition "result != 1": the failing values (= 1) are not one side or both ends of a range; gatesim's threshold judge holds one range [min, max]"`,
    );
    expect(
      message(() => analyseConditions(cond('result > 1 && result < 0'), undefined)),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: successCondition "result > 1 && result < 0": every value fails; there is no range to hold"`,
    );
    expect(
      message(() => analyseConditions(cond('result[1] > 0'), undefined)),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: "result[1] > 0": result[1] reads more than one series; gatesim has one value per measurement (use result[0])"`,
    );
    expect(
      message(() => analyseConditions(cond('result[0] >= 0.95 &&'), undefined)),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: cannot read "result[0] >= 0.95 &&": expected a value, found the end at column 21"`,
    );
    expect(
      message(() => analyseConditions(cond('result[0] > 1 && result > 2'), undefined)),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: "result[0] > 1 && result > 2" uses result both as a list (result[0], len) and as a number"`,
    );
    expect(
      message(() => analyseConditions(cond('result[0] > 1'), failure('result < 0'))),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].failureCondition: "result < 0" reads result as a number but the other condition reads it as a list"`,
    );
    expect(message(() => analyseConditions(cond('result[0]'), undefined))).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].successCondition: "result[0]" is a number, not true/false"`,
    );
  });
});

describe('properties', () => {
  type Op = '<' | '<=' | '>' | '>=';
  const flip: Record<Op, Op> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
  const constant = fc
    .double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .map((c) => (Object.is(c, -0) ? 0 : c));
  const comparison = fc.record({
    op: fc.constantFrom<Op>('<', '<=', '>', '>='),
    c: constant,
    list: fc.boolean(),
    constantFirst: fc.boolean(),
    guard: fc.constantFrom('none', 'len', 'nan'),
  });

  const render = (g: {
    op: Op;
    c: number;
    list: boolean;
    constantFirst: boolean;
    guard: string;
  }): string => {
    const v = g.list ? 'result[0]' : 'result';
    const cmp = g.constantFirst ? `${g.c} ${flip[g.op]} ${v}` : `${v} ${g.op} ${g.c}`;
    if (g.guard === 'len' && g.list) return `len(result) > 0 && ${cmp}`;
    if (g.guard === 'nan') return `!isNaN(${v}) && ${cmp}`;
    return cmp;
  };

  it('a generated comparison round-trips into the threshold it states (success or failure condition)', () => {
    fc.assert(
      fc.property(comparison, fc.boolean(), (g, asFailure) => {
        const text = render(g);
        const a = asFailure
          ? analyseConditions(undefined, failure(text))
          : analyseConditions(cond(text), undefined);
        // A success condition passes on its side of c; a failure condition passes on the other.
        const passAbove = (g.op === '>' || g.op === '>=') !== asFailure;
        expect(a.passRange).toEqual(
          passAbove ? { lo: g.c, hi: Infinity } : { lo: -Infinity, hi: g.c },
        );
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  // Random boolean combinations of comparisons: the phase the analysis assigns to a segment
  // equals Argo's rule evaluated directly at any value inside it.
  const atom = fc.record({
    op: fc.constantFrom('<', '<=', '>', '>=', '==', '!='),
    c: fc.integer({ min: -5, max: 5 }),
  });
  const formula = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      atom.map((a) => `result ${a.op} ${a.c}`),
      fc
        .tuple(tie('f'), fc.constantFrom('&&', '||'), tie('f'))
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
      tie('f').map((x) => `!(${x})`),
    ),
  }));

  it('segments agree with direct evaluation at random points (property)', () => {
    fc.assert(
      fc.property(
        formula.f,
        fc.option(formula.f, { nil: undefined }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (sText, fText, points) => {
          let a;
          try {
            a = analyseConditions(cond(sText), fText === undefined ? undefined : failure(fText));
          } catch (e) {
            // Conditions whose passing values are not one range are refused; that is tested above.
            fc.pre(!(e instanceof GatesimError));
            throw e;
          }
          const s = parseExpr(sText);
          const f = fText === undefined ? undefined : parseExpr(fText);
          for (const v of points) {
            const seg = a.segments.find(
              (x) =>
                (v > x.lo || (v === x.lo && x.loClosed)) &&
                (v < x.hi || (v === x.hi && x.hiClosed)),
            );
            expect(seg?.phase).toBe(argoPhase(s, f, v));
          }
          for (const c of [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]) {
            const seg = a.segments.find(
              (x) =>
                (c > x.lo || (c === x.lo && x.loClosed)) &&
                (c < x.hi || (c === x.hi && x.hiClosed)),
            );
            expect(seg?.phase).toBe(argoPhase(s, f, c));
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

// Issue 10 §4: conditions that reached Object.prototype through the function table, or nested
// deep enough to overflow the stack, crashed the importer (TypeError / RangeError, exit 1).
describe('hostile conditions are input errors naming the condition', () => {
  it('a function named after an Object.prototype member is an unsupported function', () => {
    for (const text of [
      'constructor(result)',
      'toString(result) == 1',
      'valueOf()',
      'hasOwnProperty(result)',
      '__proto__(result)',
    ]) {
      const name = text.slice(0, text.indexOf('('));
      expect(message(() => analyseConditions(cond(text), undefined))).toBe(
        `at.yaml: spec.metrics[0].successCondition: cannot use ${JSON.stringify(text)}: unsupported function "${name}" (gatesim reads len, isNaN, isInf) at column 1`,
      );
    }
  });

  it('1,500 nested parentheses and 100,000 `!` stop at the depth bound, quoting the condition briefly', () => {
    const parens = `${'('.repeat(1500)}result[0] < 1${')'.repeat(1500)}`;
    expect(message(() => analyseConditions(cond(parens), undefined))).toBe(
      `at.yaml: spec.metrics[0].successCondition: cannot read ${JSON.stringify('('.repeat(60))}… (3013 characters): the condition nests deeper than 256 levels (parentheses, "!", "&&"/"||" chains); gatesim reads conditions up to 256 deep at column 257`,
    );
    const bangs = `${'!'.repeat(100_000)}true`;
    expect(message(() => analyseConditions(cond(bangs), failure('false')))).toMatch(
      /^at\.yaml: spec\.metrics\[0\]\.successCondition: cannot read "!{60}"… \(100004 characters\): the condition nests deeper than 256 levels .* at column 257$/,
    );
  });
});

describe('analyseConditions: the Successful range inside the non-failing one (issue 11 §4)', () => {
  it('both conditions: successRange is where the success condition holds; the rest is the band', () => {
    const a = analyseConditions(cond('result[0] <= 0.5'), failure('result[0] > 1'));
    expect(a.passRange).toEqual({ lo: -Infinity, hi: 1 });
    expect(a.successRange).toEqual({ lo: -Infinity, hi: 0.5 });
    const b = analyseConditions(cond('result[0] >= 0.95'), failure('result[0] < 0.9'));
    expect(b.successRange).toEqual({ lo: 0.95, hi: Infinity });
    // A band on both sides.
    const c = analyseConditions(
      cond('result > 10 && result < 20'),
      failure('result < 0 || result > 100'),
    );
    expect([c.passRange, c.successRange]).toEqual([
      { lo: 0, hi: 100 },
      { lo: 10, hi: 20 },
    ]);
    // No band: one condition only.
    const d = analyseConditions(cond('result[0] >= 0.95'), undefined);
    expect(d.successRange).toEqual(d.passRange);
  });

  it('Successful values split by Inconclusive ones, or none at all, are errors naming the conditions', () => {
    expect(
      message(() => analyseConditions(cond('result < 1 || result > 2'), failure('result > 10'))),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].failureCondition: successCondition "result < 1 || result > 2" with failureCondition "result > 10": the Inconclusive values ([1, 2]) split the Successful ones; gatesim's threshold judge holds one passing range inside one non-failing range"`,
    );
    expect(
      message(() => analyseConditions(cond('result > 5 && result < 1'), failure('result > 10'))),
    ).toMatchInlineSnapshot(
      `"at.yaml: spec.metrics[0].failureCondition: successCondition "result > 5 && result < 1" with failureCondition "result > 10": no value is Successful (every measurement would be Inconclusive or Failed, and the rollout would always pause or abort)"`,
    );
  });
});
