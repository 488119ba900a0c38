/**
 * Selector paths into a policy's data, the way a space file's patches address it:
 * `stages[name=canary].bake`, `stages[*].checks[compare=baseline].baselineScope`,
 * `stages[-1].target`, `watch.checks[metric=conversion_rate].judge.alpha`. A path may select
 * many places or none; a patch that selects nothing does nothing (it does not apply to that
 * base), which is how one space fits the skeleton and every given policy.
 */
import { didYouMean, listNames } from '../config/suggest.js';

/** One step: a mapping key, or a selection of list items. */
export type PathStep =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  /**
   * Items whose field (a dotted path inside the item) reads as `value` (`=`), or does not
   * (`!=`, which an item without the field meets). Selectors in a row narrow the same items.
   */
  | { kind: 'match'; field: string[]; value: string; negate: boolean };

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*/;
const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/** Splits a selector path into steps; throws an Error whose message says what is wrong. */
export function parseSelectorPath(text: string): PathStep[] {
  const steps: PathStep[] = [];
  let rest = text.trim();
  if (rest === '') throw new Error('expected a path such as stages[name=canary].bake');
  let first = true;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      if (first) throw new Error(`expected a key before "${rest}"`);
      const close = rest.indexOf(']');
      if (close < 0) throw new Error(`"[" without "]" in "${text}"`);
      const step = parseSelector(rest.slice(1, close).trim(), text);
      const prev = steps[steps.length - 1];
      if (prev !== undefined && prev.kind !== 'key' && step.kind !== 'match')
        throw new Error(
          `only [field=value] or [field!=value] may follow another selector (they narrow the same items), got [${rest.slice(1, close).trim()}] in "${text}"`,
        );
      steps.push(step);
      rest = rest.slice(close + 1);
      continue;
    }
    if (!first) {
      if (!rest.startsWith('.')) throw new Error(`expected "." or "[" before "${rest}"`);
      rest = rest.slice(1);
    }
    const m = KEY_RE.exec(rest);
    if (m === null) throw new Error(`expected a key name at "${rest}"`);
    steps.push({ kind: 'key', key: m[0] });
    rest = rest.slice(m[0].length);
    first = false;
  }
  return steps;
}

function parseSelector(inside: string, text: string): PathStep {
  if (inside === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inside)) return { kind: 'index', index: Number(inside) };
  const eq = inside.indexOf('=');
  if (eq > 0) {
    const negate = inside[eq - 1] === '!';
    const field = inside.slice(0, negate ? eq - 1 : eq).trim();
    const value = inside.slice(eq + 1).trim();
    if (!FIELD_RE.test(field))
      throw new Error(`expected a field name before "=" in [${inside}] of "${text}"`);
    if (value === '') throw new Error(`expected a value after "=" in [${inside}] of "${text}"`);
    return { kind: 'match', field: field.split('.'), value, negate };
  }
  throw new Error(
    `expected [N], [-N], [*], [field=value] or [field!=value] in "${text}", got [${inside}]`,
  );
}

/** Writes steps back as text. */
export function formatSelectorPath(steps: readonly PathStep[]): string {
  let out = '';
  for (const s of steps) {
    switch (s.kind) {
      case 'key':
        out += out === '' ? s.key : `.${s.key}`;
        break;
      case 'index':
        out += `[${s.index}]`;
        break;
      case 'all':
        out += '[*]';
        break;
      case 'match':
        out += `[${s.field.join('.')}${s.negate ? '!=' : '='}${s.value}]`;
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown path step ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

export type Container = Record<string, unknown> | unknown[];

/** A place a path selected: a key of a mapping (present or not) or an item of a list. */
export interface Place {
  parent: Container;
  key: string | number;
  present: boolean;
}

/** A plain mapping (not a list, not null). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldValue(item: unknown, field: readonly string[]): unknown {
  let v: unknown = item;
  for (const k of field) {
    if (!isMapping(v)) return undefined;
    v = v[k];
  }
  return v;
}

function matches(item: unknown, step: Extract<PathStep, { kind: 'match' }>): boolean {
  const v = fieldValue(item, step.field);
  const equal =
    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
    String(v) === step.value;
  return step.negate ? !equal : equal;
}

/**
 * Every place the path selects in `root`, in document order. Every step but the last must
 * exist; the last may be a key its mapping lacks (`present: false`), which `set` adds.
 */
export function selectPlaces(root: unknown, steps: readonly PathStep[]): Place[] {
  let frontier: Place[] = [{ parent: { root }, key: 'root', present: true }];
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const next: Place[] = [];
    const narrowing = step.kind !== 'key' && i > 0 && steps[i - 1]!.kind !== 'key';
    for (const place of frontier) {
      if (!place.present) continue;
      const node = (place.parent as Record<string | number, unknown>)[place.key];
      if (narrowing) {
        if (step.kind === 'match' && matches(node, step)) next.push(place);
        continue;
      }
      switch (step.kind) {
        case 'key':
          if (!isMapping(node)) break;
          if (Object.hasOwn(node, step.key))
            next.push({ parent: node, key: step.key, present: true });
          else if (last) next.push({ parent: node, key: step.key, present: false });
          break;
        case 'index': {
          if (!Array.isArray(node)) break;
          const k = step.index < 0 ? node.length + step.index : step.index;
          if (k >= 0 && k < node.length) next.push({ parent: node, key: k, present: true });
          break;
        }
        case 'all':
          if (Array.isArray(node))
            node.forEach((_, k) => next.push({ parent: node, key: k, present: true }));
          break;
        case 'match':
          if (Array.isArray(node))
            node.forEach((item, k) => {
              if (matches(item, step)) next.push({ parent: node, key: k, present: true });
            });
          break;
        default: {
          const never: never = step;
          throw new Error(`unknown path step ${JSON.stringify(never)}`);
        }
      }
    }
    frontier = next;
  });
  return frontier;
}

/**
 * Why a path selects nothing in `root`: the first step that finds nothing, with what is
 * there instead (`stages has no item with name=canry (names: canary, expand, everywhere)`).
 */
export function explainNoMatch(root: unknown, steps: readonly PathStep[]): string {
  let nodes: unknown[] = [root];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const here = i === 0 ? 'the policy' : formatSelectorPath(steps.slice(0, i));
    const next: unknown[] = [];
    const narrowing = step.kind !== 'key' && i > 0 && steps[i - 1]!.kind !== 'key';
    for (const node of nodes) {
      if (narrowing) {
        if (step.kind === 'match' && matches(node, step)) next.push(node);
        continue;
      }
      switch (step.kind) {
        case 'key':
          if (isMapping(node) && Object.hasOwn(node, step.key)) next.push(node[step.key]);
          break;
        case 'index':
          if (Array.isArray(node)) {
            const k = step.index < 0 ? node.length + step.index : step.index;
            if (k >= 0 && k < node.length) next.push(node[k]);
          }
          break;
        case 'all':
          if (Array.isArray(node)) next.push(...node);
          break;
        case 'match':
          if (Array.isArray(node)) next.push(...node.filter((x) => matches(x, step)));
          break;
        default: {
          const never: never = step;
          throw new Error(`unknown path step ${JSON.stringify(never)}`);
        }
      }
    }
    if (next.length === 0 && !(i === steps.length - 1 && step.kind === 'key')) {
      return `${here} ${narrowing ? `has no item that also has ${formatSelectorPath([step]).slice(1, -1)}` : describeMiss(nodes, step)}`;
    }
    nodes = next;
  }
  return 'selects nothing';
}

function describeMiss(nodes: readonly unknown[], step: PathStep): string {
  switch (step.kind) {
    case 'key': {
      const keys = [...new Set(nodes.filter(isMapping).flatMap((n) => Object.keys(n)))];
      if (keys.length === 0) return `is not a mapping, so it has no key "${step.key}"`;
      return `has no key "${step.key}" (it has ${listNames(keys)})${didYouMean(step.key, keys)}`;
    }
    case 'index':
      return `has no item [${step.index}]`;
    case 'all':
      return 'is not a list';
    case 'match': {
      const seen = [
        ...new Set(
          nodes
            .filter(Array.isArray)
            .flatMap((n) => n.map((x) => fieldValue(x, step.field)))
            .filter((v) => v !== undefined)
            .map(String),
        ),
      ];
      const field = step.field.join('.');
      if (step.negate) return `has no item with ${field}!=${step.value}`;
      return seen.length === 0
        ? `has no item with a ${field}`
        : `has no item with ${field}=${step.value} (${field}: ${listNames(seen)})${didYouMean(step.value, seen)}`;
    }
    default: {
      const never: never = step;
      throw new Error(`unknown path step ${JSON.stringify(never)}`);
    }
  }
}
