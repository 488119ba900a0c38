/**
 * Argo Rollouts' success/failure conditions turned into what a threshold judge can hold.
 *
 * A condition compares the measured value with constants, so its truth can change only at
 * those constants. Evaluating Argo's measurement rule (evaluate.go: only successCondition →
 * failed = not success; only failureCondition → success = not failed; failed wins; neither →
 * Inconclusive) at each constant and between them gives the exact phase of every real value,
 * with no symbolic algebra. The values that do not fail must form one range: that range is the
 * judge's [min, max]; within it, the Successful values must form one range too, and what is
 * left at either end is Inconclusive (the judge's inconclusive band). Missing data is `result = []` for list conditions (an empty Prometheus
 * vector, where `result[0]` is an evaluation error) and NaN for scalar ones.
 */
import type { Expr } from './expr/ast.js';
import { numberLiterals, printExpr } from './expr/ast.js';
import type { ResultShape } from './expr/evaluate.js';
import { evaluate, ExprRuntimeError, ExprTypeError, typeOf } from './expr/evaluate.js';
import { ExprSyntaxError, parseExpr } from './expr/parse.js';
import type { SourceNode } from './source.js';

/** A measurement's phase, in gatesim's verdict words (Argo: Successful, Failed, Inconclusive, Error). */
export type MeasurementPhase = 'pass' | 'fail' | 'inconclusive' | 'error';

/** A stretch of the real line where every value gets the same phase. */
export interface Segment {
  lo: number;
  hi: number;
  loClosed: boolean;
  hiClosed: boolean;
  phase: MeasurementPhase;
}

export interface ConditionAnalysis {
  shape: ResultShape;
  /** The whole real line, in order, split where the phase changes. */
  segments: Segment[];
  /** The values that do not fail (±Infinity when unbounded): the threshold judge's range. */
  passRange: { lo: number; hi: number };
  /**
   * The values Argo calls Successful, inside passRange: the rest of passRange is the
   * Inconclusive band (the judge's inconclusiveAbove/inconclusiveBelow). Equal to passRange
   * when there is no band.
   */
  successRange: { lo: number; hi: number };
  /** Values Argo calls Inconclusive (between a success and a failure condition). */
  inconclusive: Segment[];
  /** The phase when no data came back (`result = []`, or NaN for scalar conditions). */
  missing: MeasurementPhase;
  /** The phase when the query returned NaN (e.g. 0/0 with no traffic). */
  nan: MeasurementPhase;
}

/** One condition as written, with where it came from. */
export interface ConditionSource {
  text: string;
  node: SourceNode;
}

interface Parsed {
  src: ConditionSource;
  tree: Expr;
}

/** The longest condition text a message quotes in full. */
const QUOTE_MAX = 80;

/** A condition quoted for a message; a long one is cut (the column still says where). */
export function quote(text: string): string {
  if (text.length <= QUOTE_MAX) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE_MAX - 20))}… (${text.length} characters)`;
}

/** Parses a condition; a syntax error names the expression and the column. */
export function parseCondition(src: ConditionSource): Expr {
  try {
    return parseExpr(src.text);
  } catch (e) {
    if (e instanceof ExprSyntaxError)
      return src.node.fail(`cannot read ${quote(src.text)}: ${e.message}`);
    throw e;
  }
}

/** How `result` is used: as a list (`result[0]`, `len(result)`), as a number, or not at all. */
function usage(e: Expr, out: Set<'list' | 'number'>): void {
  switch (e.kind) {
    case 'number':
    case 'bool':
      return;
    case 'name':
      if (e.name === 'result') out.add('number');
      return;
    case 'index':
      if (e.target.kind === 'name' && e.target.name === 'result') out.add('list');
      else usage(e.target, out);
      usage(e.index, out);
      return;
    case 'call':
      for (const a of e.args) {
        if (e.name === 'len' && a.kind === 'name' && a.name === 'result') out.add('list');
        else usage(a, out);
      }
      return;
    case 'unary':
      usage(e.operand, out);
      return;
    case 'compare':
    case 'logical':
      usage(e.left, out);
      usage(e.right, out);
      return;
    default: {
      const never: never = e;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
}

/** Every index applied to `result` must pick its one value: gatesim metrics have one value per measurement. */
function checkIndices(e: Expr, src: ConditionSource): void {
  const visit = (n: Expr): void => {
    switch (n.kind) {
      case 'index': {
        const i = n.index;
        const literal =
          i.kind === 'number'
            ? i.value
            : i.kind === 'unary' && i.op === '-' && i.operand.kind === 'number'
              ? -i.operand.value
              : undefined;
        if (literal !== 0 && literal !== -1) {
          src.node.fail(
            `${quote(src.text)}: ${printExpr(n)} reads more than one series; gatesim has one value per measurement (use result[0])`,
          );
        }
        visit(n.target);
        return;
      }
      case 'call':
        n.args.forEach(visit);
        return;
      case 'unary':
        visit(n.operand);
        return;
      case 'compare':
      case 'logical':
        visit(n.left);
        visit(n.right);
        return;
      case 'number':
      case 'bool':
      case 'name':
        return;
      default: {
        const never: never = n;
        throw new Error(`unknown expression ${JSON.stringify(never)}`);
      }
    }
  };
  visit(e);
}

/** Argo's measurement rule (utils/evaluate/evaluate.go, EvaluateResult). */
export function argoPhase(
  success: Expr | undefined,
  failure: Expr | undefined,
  result: number | readonly number[],
): MeasurementPhase {
  let ok = false;
  let failed = false;
  try {
    if (success !== undefined) ok = evaluate(success, result) === true;
    if (failure !== undefined) failed = evaluate(failure, result) === true;
  } catch (e) {
    if (e instanceof ExprRuntimeError) return 'error';
    throw e;
  }
  if (success === undefined && failure === undefined) return 'pass';
  if (success !== undefined && failure === undefined) failed = !ok;
  if (success === undefined && failure !== undefined) ok = !failed;
  if (failed) return 'fail';
  if (!ok) return 'inconclusive';
  return 'pass';
}

/** The points at which the phase is sampled: each constant, and one point inside every gap. */
function samplePoints(constants: number[]): {
  points: number[];
  regions: Omit<Segment, 'phase'>[];
} {
  const cs = [...new Set(constants.flatMap((c) => [c, -c]).filter((c) => Number.isFinite(c)))].sort(
    (a, b) => a - b,
  );
  if (cs.length === 0)
    return {
      points: [0],
      regions: [{ lo: -Infinity, hi: Infinity, loClosed: false, hiClosed: false }],
    };
  const points: number[] = [];
  const regions: Omit<Segment, 'phase'>[] = [];
  const first = cs[0]!;
  points.push(first - Math.max(1, Math.abs(first)));
  regions.push({ lo: -Infinity, hi: first, loClosed: false, hiClosed: false });
  cs.forEach((c, i) => {
    points.push(c);
    regions.push({ lo: c, hi: c, loClosed: true, hiClosed: true });
    const next = cs[i + 1];
    if (next !== undefined) {
      points.push(c + (next - c) / 2);
      regions.push({ lo: c, hi: next, loClosed: false, hiClosed: false });
    } else {
      points.push(c + Math.max(1, Math.abs(c)));
      regions.push({ lo: c, hi: Infinity, loClosed: false, hiClosed: false });
    }
  });
  return { points, regions };
}

/** Joins neighbouring regions that share a phase. */
function merge(regions: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const r of regions) {
    const last = out[out.length - 1];
    if (last !== undefined && last.phase === r.phase) {
      last.hi = r.hi;
      last.hiClosed = r.hiClosed;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Formats a segment for a comment: `≥ 0.95`, `< 0.05`, `(0.9, 0.95)`, `= 1`, `any value`. */
export function describeSegment(s: Pick<Segment, 'lo' | 'hi' | 'loClosed' | 'hiClosed'>): string {
  if (s.lo === -Infinity && s.hi === Infinity) return 'any value';
  if (s.lo === s.hi) return `= ${s.lo}`;
  if (s.lo === -Infinity) return `${s.hiClosed ? '≤' : '<'} ${s.hi}`;
  if (s.hi === Infinity) return `${s.loClosed ? '≥' : '>'} ${s.lo}`;
  return `${s.loClosed ? '[' : '('}${s.lo}, ${s.hi}${s.hiClosed ? ']' : ')'}`;
}

/**
 * Reads a metric's success and failure conditions (either may be absent) and works out, for
 * every possible measured value, Argo's phase; throws a ValidationError naming the expression
 * when the result cannot be a threshold (the passing values are not one range, or types clash).
 */
export function analyseConditions(
  success: ConditionSource | undefined,
  failure: ConditionSource | undefined,
): ConditionAnalysis {
  const parsed: Parsed[] = [];
  if (success !== undefined) parsed.push({ src: success, tree: parseCondition(success) });
  if (failure !== undefined) parsed.push({ src: failure, tree: parseCondition(failure) });
  const uses = new Set<'list' | 'number'>();
  for (const p of parsed) {
    const own = new Set<'list' | 'number'>();
    usage(p.tree, own);
    if (own.size > 1) {
      p.src.node.fail(
        `${quote(p.src.text)} uses result both as a list (result[0], len) and as a number`,
      );
    }
    own.forEach((u) => uses.add(u));
  }
  if (uses.size > 1) {
    parsed[1]!.src.node.fail(
      `${quote(parsed[1]!.src.text)} reads result as a ${[...uses][1]} but the other condition reads it as a ${[...uses][0]}`,
    );
  }
  const shape: ResultShape = uses.has('list') ? 'list' : 'number';
  for (const p of parsed) {
    try {
      const t = typeOf(p.tree, shape);
      if (t !== 'bool') p.src.node.fail(`${quote(p.src.text)} is a ${t}, not true/false`);
    } catch (e) {
      if (e instanceof ExprTypeError) {
        p.src.node.fail(`cannot use ${quote(p.src.text)}: ${e.message} at column ${e.column}`);
      }
      throw e;
    }
    checkIndices(p.tree, p.src);
  }
  const s = success !== undefined ? parsed[0]!.tree : undefined;
  const f = failure !== undefined ? parsed[parsed.length - 1]!.tree : undefined;
  const wrap = (v: number): number | readonly number[] => (shape === 'list' ? [v] : v);
  const { points, regions } = samplePoints(parsed.flatMap((p) => numberLiterals(p.tree)));
  const segments = merge(
    regions.map((r, i) => ({ ...r, phase: argoPhase(s, f, wrap(points[i]!)) })),
  );
  const where = (failure ?? success)!;
  const keep = segments.map((seg, i) => (seg.phase === 'fail' ? -1 : i)).filter((i) => i >= 0);
  if (keep.length === 0) {
    where.node.fail(
      `${conditionsText(success, failure)}: every value fails; there is no range to hold`,
    );
  }
  const first = keep[0]!;
  const last = keep[keep.length - 1]!;
  if (last - first + 1 !== keep.length) {
    const failing = segments.filter((x) => x.phase === 'fail').map(describeSegment);
    where.node.fail(
      `${conditionsText(success, failure)}: the failing values (${failing.join(' and ')}) are not one side or both ends of a range; gatesim's threshold judge holds one range [min, max]`,
    );
  }
  const ok = segments.map((seg, i) => (seg.phase === 'pass' ? i : -1)).filter((i) => i >= 0);
  if (ok.length === 0) {
    where.node.fail(
      `${conditionsText(success, failure)}: no value is Successful (every measurement would be Inconclusive or Failed, and the rollout would always pause or abort)`,
    );
  }
  const okFirst = ok[0]!;
  const okLast = ok[ok.length - 1]!;
  if (okLast - okFirst + 1 !== ok.length) {
    const band = segments.filter((x) => x.phase === 'inconclusive').map(describeSegment);
    where.node.fail(
      `${conditionsText(success, failure)}: the Inconclusive values (${band.join(' and ')}) split the Successful ones; gatesim's threshold judge holds one passing range inside one non-failing range`,
    );
  }
  return {
    shape,
    segments,
    passRange: { lo: segments[first]!.lo, hi: segments[last]!.hi },
    successRange: { lo: segments[okFirst]!.lo, hi: segments[okLast]!.hi },
    inconclusive: segments.filter((x) => x.phase === 'inconclusive'),
    missing: argoPhase(s, f, shape === 'list' ? [] : NaN),
    nan: argoPhase(s, f, wrap(NaN)),
  };
}

function conditionsText(
  success: ConditionSource | undefined,
  failure: ConditionSource | undefined,
): string {
  const parts: string[] = [];
  if (success !== undefined) parts.push(`successCondition ${quote(success.text)}`);
  if (failure !== undefined) parts.push(`failureCondition ${quote(failure.text)}`);
  return parts.join(' with ');
}
