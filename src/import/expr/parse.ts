/**
 * A tokenizer and recursive-descent parser for Argo Rollouts condition expressions
 * (`result[0] >= 0.95 && len(result) > 0`). Errors name the column so a person can find the
 * spot in a long condition.
 */
import type { CompareOp, Expr, UnaryOp } from './ast.js';

/** A parse failure: what was expected and where (1-based column). */
export class ExprSyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${reason} at column ${column}`);
    this.name = 'ExprSyntaxError';
  }
}

type Token =
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'name'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

// Longest operators first so `<=` is not read as `<` then `=`.
const OPERATORS = [
  '&&',
  '||',
  '<=',
  '>=',
  '==',
  '!=',
  '<',
  '>',
  '!',
  '-',
  '+',
  '*',
  '/',
  '%',
  '(',
  ')',
  '[',
  ']',
  ',',
];
const ARITHMETIC = ['+', '-', '*', '/', '%'];
const NUMBER_RE = /^(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME_RE = /^[A-Za-z_$][A-Za-z0-9_$]*/;

/** Splits an expression into tokens; throws ExprSyntaxError on a character the language lacks. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const num = NUMBER_RE.exec(rest);
    if (num !== null) {
      const raw = num[0];
      const value = Number(raw.replaceAll('_', ''));
      if (!Number.isFinite(value)) throw new ExprSyntaxError(i + 1, `bad number "${raw}"`);
      tokens.push({ kind: 'number', value, text: raw, at: i + 1 });
      i += raw.length;
      continue;
    }
    const name = NAME_RE.exec(rest);
    if (name !== null) {
      tokens.push({ kind: 'name', text: name[0], at: i + 1 });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, at: i + 1 });
      i += op.length;
      continue;
    }
    if (ch === '.') {
      throw new ExprSyntaxError(
        i + 1,
        'field access (result.x) is not supported in conditions gatesim can read',
      );
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      throw new ExprSyntaxError(i + 1, 'strings are not supported in conditions gatesim can read');
    }
    throw new ExprSyntaxError(i + 1, `unexpected character "${ch}"`);
  }
  tokens.push({ kind: 'end', text: '', at: text.length + 1 });
  return tokens;
}

const COMPARE_OPS: readonly string[] = ['<', '<=', '>', '>=', '==', '!='];

/**
 * The most nodes a condition may have: expr-lang's own budget (conf.DefaultMaxNodes, 1e4, in
 * the expr-lang/expr v1.17 that Argo Rollouts builds with), so nothing Argo accepts is refused
 * for its size.
 */
export const MAX_NODES = 10_000;

/**
 * The deepest a condition may nest (parentheses, `!`, calls, indices and chains of `&&`/`||`
 * all count). expr-lang sets no depth limit (Go stacks grow); gatesim's parser, type checker
 * and evaluator recurse over the tree, so a bound keeps a pathological condition an input
 * error instead of a stack overflow. Real conditions nest a handful of levels.
 */
export const MAX_DEPTH = 256;

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end' : `"${t.text}"`;
}

/** Parses a condition into a tree; throws ExprSyntaxError with the column of the problem. */
export function parseExpr(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  // Nesting depth of the descent (parentheses, unary operators, call arguments, indices) and
  // height of each node built, so neither the parser nor the passes over the tree recurse
  // without bound.
  let depth = 0;
  let nodes = 0;
  const heights = new WeakMap<Expr, number>();
  const heightOf = (e: Expr): number => heights.get(e) ?? 1;
  const tooDeep = (at: number): ExprSyntaxError =>
    new ExprSyntaxError(
      at,
      `the condition nests deeper than ${MAX_DEPTH} levels (parentheses, "!", "&&"/"||" chains); gatesim reads conditions up to ${MAX_DEPTH} deep`,
    );
  const built = <T extends Expr>(e: T, ...children: Expr[]): T => {
    if (++nodes > MAX_NODES) {
      throw new ExprSyntaxError(
        e.at,
        `the condition has more than ${MAX_NODES} nodes (expr-lang's own limit, conf.DefaultMaxNodes)`,
      );
    }
    const h = 1 + Math.max(0, ...children.map(heightOf));
    if (h > MAX_DEPTH) throw tooDeep(e.at);
    heights.set(e, h);
    return e;
  };
  const nested = <T>(at: number, parse: () => T): T => {
    if (++depth > MAX_DEPTH) throw tooDeep(at);
    try {
      return parse();
    } finally {
      depth--;
    }
  };
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const isOp = (t: Token, ...ops: string[]): boolean => t.kind === 'op' && ops.includes(t.text);
  const isWord = (t: Token, word: string): boolean => t.kind === 'name' && t.text === word;
  const expect = (op: string): Token => {
    const t = next();
    if (!isOp(t, op)) throw new ExprSyntaxError(t.at, `expected "${op}", found ${describe(t)}`);
    return t;
  };

  const parseOr = (): Expr => {
    let left = parseAnd();
    for (;;) {
      const t = peek();
      if (!isOp(t, '||') && !isWord(t, 'or')) return left;
      next();
      const right = parseAnd();
      left = built({ kind: 'logical', op: '||', left, right, at: t.at }, left, right);
    }
  };

  const parseAnd = (): Expr => {
    let left = parseCompare();
    for (;;) {
      const t = peek();
      if (!isOp(t, '&&') && !isWord(t, 'and')) return left;
      next();
      const right = parseCompare();
      left = built({ kind: 'logical', op: '&&', left, right, at: t.at }, left, right);
    }
  };

  const parseCompare = (): Expr => {
    const left = parseUnary();
    const t = peek();
    if (t.kind !== 'op' || !COMPARE_OPS.includes(t.text)) return left;
    next();
    const right = parseUnary();
    const after = peek();
    if (after.kind === 'op' && COMPARE_OPS.includes(after.text)) {
      throw new ExprSyntaxError(
        after.at,
        `comparisons do not chain; write "a ${t.text} b && b ${after.text} c"`,
      );
    }
    return built({ kind: 'compare', op: t.text as CompareOp, left, right, at: t.at }, left, right);
  };

  const parseUnary = (): Expr => {
    const t = peek();
    if (isOp(t, '!', '-', '+') || isWord(t, 'not')) {
      next();
      const op: UnaryOp = t.text === 'not' ? '!' : (t.text as UnaryOp);
      const operand = nested(t.at, parseUnary);
      return built({ kind: 'unary', op, operand, at: t.at }, operand);
    }
    return parsePostfix();
  };

  const parsePostfix = (): Expr => {
    let target = parsePrimary();
    while (isOp(peek(), '[')) {
      const open = next();
      const index = nested(open.at, parseOr);
      expect(']');
      target = built({ kind: 'index', target, index, at: open.at }, target, index);
    }
    const t = peek();
    if (t.kind === 'op' && ARITHMETIC.includes(t.text)) {
      throw new ExprSyntaxError(
        t.at,
        `arithmetic ("${t.text}") is not supported; gatesim reads comparisons of result with numbers`,
      );
    }
    return target;
  };

  const parsePrimary = (): Expr => {
    const t = next();
    switch (t.kind) {
      case 'number':
        return built({ kind: 'number', value: t.value, at: t.at });
      case 'name': {
        if (t.text === 'true' || t.text === 'false')
          return built({ kind: 'bool', value: t.text === 'true', at: t.at });
        if (['and', 'or', 'not'].includes(t.text)) {
          throw new ExprSyntaxError(t.at, `expected a value, found "${t.text}"`);
        }
        if (!isOp(peek(), '(')) return built({ kind: 'name', name: t.text, at: t.at });
        next();
        const args: Expr[] = [];
        if (!isOp(peek(), ')')) {
          for (;;) {
            args.push(nested(t.at, parseOr));
            if (!isOp(peek(), ',')) break;
            next();
          }
        }
        expect(')');
        return built({ kind: 'call', name: t.text, args, at: t.at }, ...args);
      }
      case 'op':
        if (t.text === '(') {
          const inner = nested(t.at, parseOr);
          expect(')');
          return inner;
        }
        throw new ExprSyntaxError(t.at, `expected a value, found ${describe(t)}`);
      case 'end':
        throw new ExprSyntaxError(t.at, 'expected a value, found the end');
      default: {
        const never: never = t;
        throw new Error(`unknown token ${JSON.stringify(never)}`);
      }
    }
  };

  const tree = parseOr();
  const rest = peek();
  if (rest.kind !== 'end')
    throw new ExprSyntaxError(rest.at, `expected the end, found ${describe(rest)}`);
  return tree;
}
