/**
 * Applying a patch operation to a policy's plain data. Values may hold references: a string
 * that is exactly `$name` is replaced by the value of the number dimension `name` (or of a
 * built-in such as `$fleet.largest-region`), so one alternative can carry its own numbers.
 */
import { isMapping, selectPlaces, type Container } from './path.js';
import type { PatchOp } from './types.js';

const REF_RE = /^\$([A-Za-z][A-Za-z0-9_.-]*)$/;

/** The name a value refers to (`$canary-bake` → `canary-bake`), or undefined. */
export function referenceName(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return REF_RE.exec(v)?.[1];
}

/** Every `$name` a value refers to, in order of appearance. */
export function referencesIn(v: unknown, out: string[] = []): string[] {
  const ref = referenceName(v);
  if (ref !== undefined) out.push(ref);
  else if (Array.isArray(v)) for (const x of v) referencesIn(x, out);
  else if (isMapping(v)) for (const x of Object.values(v)) referencesIn(x, out);
  return out;
}

/**
 * A deep copy of plain data that shares nothing: YAML aliases come out of the parser as
 * shared objects, and a patch meant for one stage's checks must not change another's.
 */
export function plainCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => plainCopy(x)) as T;
  if (isMapping(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainCopy(x);
    return out as T;
  }
  return v;
}

/**
 * A deep copy of `v` with every reference replaced by `resolve(name)`. References that
 * resolve to undefined are left as written (the policy loader then rejects the text).
 */
export function substitute(v: unknown, resolve: (name: string) => unknown): unknown {
  const ref = referenceName(v);
  if (ref !== undefined) {
    const r = resolve(ref);
    return r === undefined ? v : r;
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, resolve));
  if (isMapping(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substitute(x, resolve);
    return out;
  }
  return v;
}

/** A node an operation wrote: a key of a mapping or an item of a list (key undefined: the container itself). */
export interface Touch {
  container: Container;
  key: string | number | undefined;
}

/**
 * Applies one operation to `root` in place and returns the number of places it changed
 * (0: it does not apply to this policy). `touched` hears every node written, for comments.
 */
export function applyOp(
  root: Record<string, unknown>,
  op: PatchOp,
  resolve: (name: string) => unknown,
  touched: (t: Touch) => void = () => {},
): number {
  const places = selectPlaces(root, op.steps);
  switch (op.kind) {
    case 'set': {
      let n = 0;
      for (const p of places) {
        if (!p.present && Array.isArray(p.parent)) continue;
        (p.parent as Record<string | number, unknown>)[p.key] = substitute(op.value, resolve);
        touched({ container: p.parent, key: p.key });
        n++;
      }
      return n;
    }
    case 'remove': {
      const present = places.filter(
        (p, i) =>
          p.present && places.findIndex((q) => q.parent === p.parent && q.key === p.key) === i,
      );
      // Remove list items from the back, so earlier indices stay valid.
      const ordered = [...present].sort((a, b) =>
        typeof a.key === 'number' && typeof b.key === 'number' ? b.key - a.key : 0,
      );
      for (const p of ordered) {
        if (Array.isArray(p.parent)) p.parent.splice(p.key as number, 1);
        else delete p.parent[p.key as string];
        touched({ container: p.parent, key: undefined });
      }
      return present.length;
    }
    case 'append': {
      let n = 0;
      for (const p of places) {
        const parent = p.parent as Record<string | number, unknown>;
        if (!p.present) {
          if (Array.isArray(p.parent)) continue;
          parent[p.key] = [];
        }
        const list = parent[p.key];
        if (!Array.isArray(list)) continue;
        const at = list.length;
        for (const item of op.items) list.push(substitute(item, resolve));
        touched({ container: list, key: at });
        n++;
      }
      return n;
    }
    case 'order': {
      let n = 0;
      for (const p of places) {
        if (!p.present) continue;
        const list = (p.parent as Record<string | number, unknown>)[p.key];
        if (!Array.isArray(list)) continue;
        const nameOf = (x: unknown): string | undefined =>
          isMapping(x) && typeof x.name === 'string' ? x.name : undefined;
        const first: unknown[] = [];
        for (const name of op.names) {
          const item = list.find((x) => nameOf(x) === name);
          if (item !== undefined && !first.includes(item)) first.push(item);
        }
        if (first.length === 0) continue;
        const rest = list.filter((x) => !first.includes(x));
        list.splice(0, list.length, ...first, ...rest);
        touched({ container: list, key: undefined });
        n++;
      }
      return n;
    }
    default: {
      const never: never = op;
      throw new Error(`unknown patch operation ${JSON.stringify(never)}`);
    }
  }
}
