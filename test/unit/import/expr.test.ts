import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../src/import/expr/ast.js';
import { printExpr } from '../../../src/import/expr/ast.js';
import {
  evaluate,
  ExprRuntimeError,
  ExprTypeError,
  typeOf,
} from '../../../src/import/expr/evaluate.js';
import {
  ExprSyntaxError,
  MAX_DEPTH,
  MAX_NODES,
  parseExpr,
  tokenize,
} from '../../../src/import/expr/parse.js';

/** The tree without source columns, for comparing two parses. */
function strip(e: Expr): unknown {
  switch (e.kind) {
    case 'number':
    case 'bool':
      return { kind: e.kind, value: e.value };
    case 'name':
      return { kind: 'name', name: e.name };
    case 'index':
      return { kind: 'index', target: strip(e.target), index: strip(e.index) };
    case 'call':
      return { kind: 'call', name: e.name, args: e.args.map(strip) };
    case 'unary':
      return { kind: 'unary', op: e.op, operand: strip(e.operand) };
    case 'compare':
    case 'logical':
      return { kind: e.kind, op: e.op, left: strip(e.left), right: strip(e.right) };
  }
}

function syntaxError(text: string): string {
  try {
    parseExpr(text);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e.message;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

describe('tokenize', () => {
  it('reads numbers with exponents and underscores, names and two-character operators', () => {
    expect(tokenize('result[0]>=1_000.5e-3 && !isNaN(x)').map((t) => t.text)).toEqual([
      'result',
      '[',
      '0',
      ']',
      '>=',
      '1_000.5e-3',
      '&&',
      '!',
      'isNaN',
      '(',
      'x',
      ')',
      '',
    ]);
    expect(tokenize('1_000.5e-3')[0]).toMatchObject({ kind: 'number', value: 1.0005 });
  });
});

describe('parseExpr', () => {
  it('binds && tighter than || and comparisons tighter than both', () => {
    const e = parseExpr('result[0] > 1 || result[0] < 0 && len(result) > 0');
    expect(printExpr(e)).toBe('result[0] > 1 || result[0] < 0 && len(result) > 0');
    expect(e.kind === 'logical' && e.op).toBe('||');
  });

  it('reads and/or/not as words', () => {
    expect(printExpr(parseExpr('not (result < 1) and result > 0 or false'))).toBe(
      '!(result < 1) && result > 0 || false',
    );
  });

  it('keeps needed parentheses and drops the others', () => {
    expect(printExpr(parseExpr('(result > 1 || result < 0) && (len(result) > 0)'))).toBe(
      '(result > 1 || result < 0) && len(result) > 0',
    );
  });

  it('names the problem and its column', () => {
    expect(syntaxError('result[0] >= 0.95 &&')).toMatchInlineSnapshot(
      `"expected a value, found the end at column 21"`,
    );
    expect(syntaxError('result[0] >= ')).toMatchInlineSnapshot(
      `"expected a value, found the end at column 14"`,
    );
    expect(syntaxError('0.9 < result < 1')).toMatchInlineSnapshot(
      `"comparisons do not chain; write "a < b && b < c" at column 14"`,
    );
    expect(syntaxError('result[0] * 100 > 95')).toMatchInlineSnapshot(
      `"arithmetic ("*") is not supported; gatesim reads comparisons of result with numbers at column 11"`,
    );
    expect(syntaxError('result.success >= 1')).toMatchInlineSnapshot(
      `"field access (result.x) is not supported in conditions gatesim can read at column 7"`,
    );
    expect(syntaxError('result == "ok"')).toMatchInlineSnapshot(
      `"strings are not supported in conditions gatesim can read at column 11"`,
    );
    expect(syntaxError('(result > 1')).toMatchInlineSnapshot(
      `"expected ")", found the end at column 12"`,
    );
    expect(syntaxError('result > 1 )')).toMatchInlineSnapshot(
      `"expected the end, found ")" at column 12"`,
    );
    expect(syntaxError('result # 1')).toMatchInlineSnapshot(
      `"unexpected character "#" at column 8"`,
    );
  });

  // Generated trees print to text that parses back to the same tree.
  const leaf = fc.oneof(
    fc
      .double({ min: 0, max: 1e6, noNaN: true })
      .map((v): Expr => ({ kind: 'number', value: v, at: 0 })),
    fc.boolean().map((v): Expr => ({ kind: 'bool', value: v, at: 0 })),
    fc.constant<Expr>({ kind: 'name', name: 'result', at: 0 }),
    fc.constant<Expr>({
      kind: 'index',
      target: { kind: 'name', name: 'result', at: 0 },
      index: { kind: 'number', value: 0, at: 0 },
      at: 0,
    }),
  );
  const tree = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .tuple(fc.constantFrom('!', '-', '+'), tie('e'))
        .map(([op, operand]): Expr => ({ kind: 'unary', op, operand, at: 0 })),
      fc
        .tuple(fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('e'), tie('e'))
        .map(([op, left, right]): Expr => ({ kind: 'compare', op, left, right, at: 0 })),
      fc
        .tuple(fc.constantFrom('&&', '||'), tie('e'), tie('e'))
        .map(([op, left, right]): Expr => ({ kind: 'logical', op, left, right, at: 0 })),
      fc
        .tuple(fc.constantFrom('len', 'isNaN'), tie('e'))
        .map(([name, arg]): Expr => ({ kind: 'call', name, args: [arg], at: 0 })),
    ),
  }));

  it('round-trips printed trees (property)', () => {
    fc.assert(
      fc.property(tree.e, (e) => {
        expect(strip(parseExpr(printExpr(e)))).toEqual(strip(e));
      }),
      { seed: 20240607, numRuns: 500 },
    );
  });
});

describe('typeOf', () => {
  const typeError = (text: string, shape: 'list' | 'number'): string => {
    try {
      typeOf(parseExpr(text), shape);
    } catch (e) {
      if (e instanceof ExprTypeError) return e.message;
      throw e;
    }
    throw new Error('no type error');
  };

  it('rejects what expr would refuse to compile', () => {
    expect(typeError('result > 1', 'list')).toMatchInlineSnapshot(
      `"cannot compare a list with ">"; index it (result[0]) or use len(result)"`,
    );
    expect(typeError('result[0] > 1', 'number')).toMatchInlineSnapshot(`"cannot index a number"`);
    expect(typeError('len(result) > 0', 'number')).toMatchInlineSnapshot(
      `"len expects a list, got a number"`,
    );
    expect(typeError('result > 1 && 2', 'number')).toMatchInlineSnapshot(
      `""&&" expects true/false on both sides, got a number"`,
    );
    expect(typeError('rate > 1', 'number')).toMatchInlineSnapshot(
      `"unknown name "rate" (only result is defined)"`,
    );
    expect(typeError('asInt(result) > 1', 'number')).toMatchInlineSnapshot(
      `"unsupported function "asInt" (gatesim reads len, isNaN, isInf)"`,
    );
    expect(typeError('true < false', 'number')).toMatchInlineSnapshot(
      `"cannot order booleans with "<""`,
    );
  });
});

describe('evaluate', () => {
  const run = (text: string, result: number | number[]): unknown =>
    evaluate(parseExpr(text), result);

  it('compares NaN as Go does: false, except !=', () => {
    expect(run('result >= 0.95', NaN)).toBe(false);
    expect(run('result < 0.95', NaN)).toBe(false);
    expect(run('result != 0.95', NaN)).toBe(true);
    expect(run('isNaN(result)', NaN)).toBe(true);
  });

  it('errors on an index past the end, unless && or || stops first', () => {
    expect(() => run('result[0] >= 0.95', [])).toThrow(ExprRuntimeError);
    expect(run('len(result) > 0 && result[0] >= 0.95', [])).toBe(false);
    expect(run('len(result) == 0 || result[0] >= 0.95', [])).toBe(true);
  });

  it('reads negative indices from the end, as expr does', () => {
    expect(run('result[-1] == 3', [1, 2, 3])).toBe(true);
    expect(run('-result[0] < -2', [3])).toBe(true);
    expect(run('isInf(result)', Infinity)).toBe(true);
  });
});

describe('bounds (issue 10 §4: no stack overflow, no Object.prototype lookups)', () => {
  it('functions are looked up as own entries only', () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
      expect(() => typeOf(parseExpr(`${name}(result)`), 'list')).toThrow(ExprTypeError);
      expect(() => typeOf(parseExpr(`${name}(result)`), 'list')).toThrow(
        `unsupported function "${name}"`,
      );
    }
  });

  it('nesting is bounded at MAX_DEPTH, by parentheses, unary operators and chains alike', () => {
    const ok = `${'('.repeat(MAX_DEPTH - 1)}true${')'.repeat(MAX_DEPTH - 1)}`;
    expect(parseExpr(ok)).toMatchObject({ kind: 'bool', value: true });
    expect(syntaxError(`${'('.repeat(MAX_DEPTH + 1)}true${')'.repeat(MAX_DEPTH + 1)}`)).toMatch(
      `nests deeper than ${MAX_DEPTH} levels`,
    );
    expect(syntaxError(`${'!'.repeat(100_000)}true`)).toMatch(/nests deeper .* at column 257$/);
    expect(syntaxError(`${'-'.repeat(2000)}1 < 0`)).toMatch('nests deeper');
    expect(syntaxError(Array.from({ length: 2000 }, () => 'result[0] < 1').join(' && '))).toMatch(
      'nests deeper',
    );
    // What survives the bound is shallow enough for every recursive pass over the tree.
    // result[0] < 1 is 3 levels high (compare, index, result).
    const deep = parseExpr(`${'!'.repeat(MAX_DEPTH - 4)}(result[0] < 1)`);
    expect(typeOf(deep, 'list')).toBe('bool');
    expect(evaluate(deep, [0])).toBe(true);
    expect(strip(parseExpr(printExpr(deep)))).toEqual(strip(deep));
  });

  it("the size bound is expr-lang's own node budget: a balanced condition under it parses, one over it does not", () => {
    const balanced = (levels: number): string =>
      levels === 0 ? 'result[0] < 1' : `(${balanced(levels - 1)} && ${balanced(levels - 1)})`;
    // 1024 comparisons of 5 nodes and 1023 `&&`: 6143 nodes, 11 levels.
    expect(evaluate(parseExpr(balanced(10)), [0])).toBe(true);
    // 4096 comparisons: 24575 nodes.
    expect(syntaxError(balanced(12))).toMatch(`more than ${MAX_NODES} nodes`);
  });
});
