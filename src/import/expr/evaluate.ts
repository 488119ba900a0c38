/**
 * Type checking and evaluation of condition trees with expr's semantics as Argo Rollouts runs
 * them: `result` is a list of numbers (a Prometheus vector) or a number (a scalar); indexing
 * past the end is a run-time error (Argo: the measurement is Error); comparisons with NaN are
 * false except `!=`; `&&` and `||` short-circuit.
 */
import type { Expr } from './ast.js';

/** What `result` holds: a list of numbers (a vector) or one number (a scalar). */
export type ResultShape = 'list' | 'number';
export type ValueType = 'number' | 'bool' | 'list';
export type Value = number | boolean | readonly number[];

/** The condition can never be evaluated (expr rejects it when compiling): a type mismatch, an unknown name. */
export class ExprTypeError extends Error {
  constructor(
    readonly column: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'ExprTypeError';
  }
}

/** Evaluation failed for this input only (Argo: the measurement is Error), e.g. `result[0]` of an empty list. */
export class ExprRuntimeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ExprRuntimeError';
  }
}

/**
 * The functions a condition may call. A Map, not an object literal: a name such as
 * `constructor` or `hasOwnProperty` must be an unknown function, not Object.prototype's.
 */
const FUNCTIONS: ReadonlyMap<string, { args: ValueType[]; returns: ValueType }> = new Map<
  string,
  { args: ValueType[]; returns: ValueType }
>([
  ['len', { args: ['list'], returns: 'number' }],
  ['isNaN', { args: ['number'], returns: 'bool' }],
  ['isInf', { args: ['number'], returns: 'bool' }],
]);

/** The static type of an expression given the shape of `result`; throws ExprTypeError. */
export function typeOf(e: Expr, shape: ResultShape): ValueType {
  switch (e.kind) {
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'name':
      if (e.name !== 'result')
        throw new ExprTypeError(e.at, `unknown name "${e.name}" (only result is defined)`);
      return shape === 'list' ? 'list' : 'number';
    case 'index': {
      const target = typeOf(e.target, shape);
      if (target !== 'list') throw new ExprTypeError(e.at, `cannot index a ${target}`);
      if (typeOf(e.index, shape) !== 'number')
        throw new ExprTypeError(e.at, 'an index must be a number');
      return 'number';
    }
    case 'call': {
      const fn = FUNCTIONS.get(e.name);
      if (fn === undefined) {
        throw new ExprTypeError(
          e.at,
          `unsupported function "${e.name}" (gatesim reads ${[...FUNCTIONS.keys()].join(', ')})`,
        );
      }
      if (e.args.length !== fn.args.length) {
        throw new ExprTypeError(
          e.at,
          `${e.name} takes ${fn.args.length} argument(s), got ${e.args.length}`,
        );
      }
      e.args.forEach((a, i) => {
        const t = typeOf(a, shape);
        if (t !== fn.args[i])
          throw new ExprTypeError(a.at, `${e.name} expects a ${fn.args[i]}, got a ${t}`);
      });
      return fn.returns;
    }
    case 'unary': {
      const t = typeOf(e.operand, shape);
      const want: ValueType = e.op === '!' ? 'bool' : 'number';
      if (t !== want) throw new ExprTypeError(e.at, `"${e.op}" expects a ${want}, got a ${t}`);
      return want;
    }
    case 'compare': {
      const l = typeOf(e.left, shape);
      const r = typeOf(e.right, shape);
      if (l === 'list' || r === 'list') {
        throw new ExprTypeError(
          e.at,
          `cannot compare a list with "${e.op}"; index it (result[0]) or use len(result)`,
        );
      }
      if (l !== r) throw new ExprTypeError(e.at, `cannot compare a ${l} with a ${r}`);
      if (l === 'bool' && e.op !== '==' && e.op !== '!=')
        throw new ExprTypeError(e.at, `cannot order booleans with "${e.op}"`);
      return 'bool';
    }
    case 'logical': {
      for (const side of [e.left, e.right]) {
        const t = typeOf(side, shape);
        if (t !== 'bool')
          throw new ExprTypeError(
            side.at,
            `"${e.op}" expects true/false on both sides, got a ${t}`,
          );
      }
      return 'bool';
    }
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}

function num(v: Value): number {
  if (typeof v !== 'number') throw new Error('internal: expected a number after type checking');
  return v;
}

function bool(v: Value): boolean {
  if (typeof v !== 'boolean') throw new Error('internal: expected a boolean after type checking');
  return v;
}

/** Evaluates a type-checked expression; throws ExprRuntimeError where Argo's measurement would be Error. */
export function evaluate(e: Expr, result: number | readonly number[]): Value {
  switch (e.kind) {
    case 'number':
    case 'bool':
      return e.value;
    case 'name':
      return result;
    case 'index': {
      const list = evaluate(e.target, result);
      if (typeof list !== 'object') throw new Error('internal: index of a non-list');
      const raw = num(evaluate(e.index, result));
      // expr accepts negative indices counted from the end.
      const i = raw < 0 ? list.length + raw : raw;
      if (!Number.isInteger(i) || i < 0 || i >= list.length) {
        throw new ExprRuntimeError(`index out of range: ${raw} (length ${list.length})`);
      }
      return list[i]!;
    }
    case 'call': {
      const args = e.args.map((a) => evaluate(a, result));
      switch (e.name) {
        case 'len': {
          const list = args[0];
          if (typeof list !== 'object') throw new Error('internal: len of a non-list');
          return list.length;
        }
        case 'isNaN':
          return Number.isNaN(num(args[0]!));
        case 'isInf': {
          const x = num(args[0]!);
          return x === Infinity || x === -Infinity;
        }
        default:
          throw new Error(`internal: unknown function ${e.name}`);
      }
    }
    case 'unary': {
      const v = evaluate(e.operand, result);
      const op = e.op;
      switch (op) {
        case '!':
          return !bool(v);
        case '-':
          return -num(v);
        case '+':
          return num(v);
        default: {
          const never: never = op;
          throw new Error(`unknown unary ${String(never)}`);
        }
      }
    }
    case 'compare': {
      const l = evaluate(e.left, result);
      const r = evaluate(e.right, result);
      const op = e.op;
      switch (op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case '<':
          return num(l) < num(r);
        case '<=':
          return num(l) <= num(r);
        case '>':
          return num(l) > num(r);
        case '>=':
          return num(l) >= num(r);
        default: {
          const never: never = op;
          throw new Error(`unknown comparison ${String(never)}`);
        }
      }
    }
    case 'logical': {
      const l = bool(evaluate(e.left, result));
      if (e.op === '&&' && !l) return false;
      if (e.op === '||' && l) return true;
      return bool(evaluate(e.right, result));
    }
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}
