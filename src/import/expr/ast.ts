/**
 * The subset of the expr language (github.com/expr-lang/expr, formerly antonmedv/expr) that
 * Argo Rollouts conditions use in practice: numbers, booleans, `result`, indexing, calls,
 * `!`/`not`, unary minus, comparisons and `&&`/`||` (also spelled `and`/`or`).
 */

/** A 1-based column in the expression text, for error messages. */
export type Column = number;

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOp = '&&' | '||';
export type UnaryOp = '!' | '-' | '+';

export type Expr =
  | { kind: 'number'; value: number; at: Column }
  | { kind: 'bool'; value: boolean; at: Column }
  | { kind: 'name'; name: string; at: Column }
  | { kind: 'index'; target: Expr; index: Expr; at: Column }
  | { kind: 'call'; name: string; args: Expr[]; at: Column }
  | { kind: 'unary'; op: UnaryOp; operand: Expr; at: Column }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; at: Column }
  | { kind: 'logical'; op: LogicalOp; left: Expr; right: Expr; at: Column };

/** Binding strength, as in expr: `||` < `&&` < comparisons < unary < postfix/primary. */
function precedence(e: Expr): number {
  switch (e.kind) {
    case 'logical':
      return e.op === '||' ? 1 : 2;
    case 'compare':
      return 3;
    case 'unary':
      return 4;
    case 'number':
      // A negative literal prints with a leading minus, so it binds like a unary.
      return e.value < 0 ? 4 : 5;
    case 'bool':
    case 'name':
    case 'index':
    case 'call':
      return 5;
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}

/** Formats a number so that the lexer reads back exactly the same value (JS's shortest round-trip form). */
export function formatNumber(n: number): string {
  return String(n);
}

/**
 * Prints an expression with the fewest parentheses that keep its meaning; parsing the output
 * gives back the same tree (the property tests check this).
 */
export function printExpr(e: Expr): string {
  const wrap = (child: Expr, min: number): string => {
    const text = printExpr(child);
    return precedence(child) < min ? `(${text})` : text;
  };
  switch (e.kind) {
    case 'number':
      return formatNumber(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'name':
      return e.name;
    case 'index':
      return `${wrap(e.target, 5)}[${printExpr(e.index)}]`;
    case 'call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'unary':
      return `${e.op}${wrap(e.operand, 4)}`;
    case 'compare':
      // Comparisons do not chain: both sides must bind tighter.
      return `${wrap(e.left, 4)} ${e.op} ${wrap(e.right, 4)}`;
    case 'logical': {
      const p = e.op === '||' ? 1 : 2;
      // Left-associative: the right operand must bind strictly tighter.
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}

/** Every number literal in the tree (used to find where a condition can change its value). */
export function numberLiterals(e: Expr): number[] {
  switch (e.kind) {
    case 'number':
      return [e.value];
    case 'bool':
    case 'name':
      return [];
    case 'index':
      return [...numberLiterals(e.target), ...numberLiterals(e.index)];
    case 'call':
      return e.args.flatMap(numberLiterals);
    case 'unary':
      return numberLiterals(e.operand);
    case 'compare':
    case 'logical':
      return [...numberLiterals(e.left), ...numberLiterals(e.right)];
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}
