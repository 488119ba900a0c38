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

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end' : `"${t.text}"`;
}

/** Parses a condition into a tree; throws ExprSyntaxError with the column of the problem. */
export function parseExpr(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
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
      left = { kind: 'logical', op: '||', left, right, at: t.at };
    }
  };

  const parseAnd = (): Expr => {
    let left = parseCompare();
    for (;;) {
      const t = peek();
      if (!isOp(t, '&&') && !isWord(t, 'and')) return left;
      next();
      const right = parseCompare();
      left = { kind: 'logical', op: '&&', left, right, at: t.at };
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
    return { kind: 'compare', op: t.text as CompareOp, left, right, at: t.at };
  };

  const parseUnary = (): Expr => {
    const t = peek();
    if (isOp(t, '!', '-', '+') || isWord(t, 'not')) {
      next();
      const op: UnaryOp = t.text === 'not' ? '!' : (t.text as UnaryOp);
      return { kind: 'unary', op, operand: parseUnary(), at: t.at };
    }
    return parsePostfix();
  };

  const parsePostfix = (): Expr => {
    let target = parsePrimary();
    while (isOp(peek(), '[')) {
      const open = next();
      const index = parseOr();
      expect(']');
      target = { kind: 'index', target, index, at: open.at };
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
        return { kind: 'number', value: t.value, at: t.at };
      case 'name': {
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'bool', value: t.text === 'true', at: t.at };
        if (['and', 'or', 'not'].includes(t.text)) {
          throw new ExprSyntaxError(t.at, `expected a value, found "${t.text}"`);
        }
        if (!isOp(peek(), '(')) return { kind: 'name', name: t.text, at: t.at };
        next();
        const args: Expr[] = [];
        if (!isOp(peek(), ')')) {
          for (;;) {
            args.push(parseOr());
            if (!isOp(peek(), ',')) break;
            next();
          }
        }
        expect(')');
        return { kind: 'call', name: t.text, args, at: t.at };
      }
      case 'op':
        if (t.text === '(') {
          const inner = parseOr();
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
