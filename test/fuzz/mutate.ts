/**
 * Adversarial, structural mutations of YAML documents for the loader fuzzer. They act on the
 * parsed document tree (not the plain data), so they can also write what plain data cannot:
 * duplicate keys, anchors and aliases (including an alias inside its own anchor, or before it),
 * tags, and nesting deeper than any real file. Values come from the edges: other types,
 * NaN and infinities, huge and tiny magnitudes, negative numbers, extreme durations.
 */
import fc from 'fast-check';
import type { Document, Node } from 'yaml';
import { isAlias, isMap, isNode, isScalar, isSeq, Pair, parseDocument, Scalar } from 'yaml';
import * as LIMITS from '../../src/util/limits.js';

type Key = string | number;

/** A node of the document with the keys that lead to it from the root. */
interface Located {
  path: Key[];
  node: Node;
}

/** Every node that a mutation can target, in document order; aliases are leaves. */
function locate(node: unknown, path: Key[] = [], out: Located[] = []): Located[] {
  if (!isNode(node)) return out;
  out.push({ path, node });
  if (isAlias(node)) return out;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      locate(pair.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => locate(item, [...path, i], out));
  }
  return out;
}

/** gatesim's limits themselves: a value at a limit must load and run. */
const AT_LIMITS = Object.values(LIMITS).filter((v): v is number => typeof v === 'number');

/** Numbers from the edges of what a loader must handle. */
const EDGE_NUMBERS = [
  ...AT_LIMITS,
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  -1,
  0.5,
  1,
  2,
  5e-324,
  1e-300,
  1e-9,
  1e6,
  3e8,
  1e9,
  2 ** 31,
  2 ** 32,
  2e12,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  Number.MAX_VALUE,
  -1e300,
];

/** Duration strings at and past the limits, and malformed ones. */
const EDGE_DURATIONS = [
  '0s',
  '1ms',
  '0.0000001ms',
  '1s',
  '59m',
  '13d',
  '13d23h59m',
  '14d',
  '14d1s',
  '15d',
  '10s',
  '9s',
  '30s',
  '8d',
  '3w',
  '1000w',
  '99999999999d',
  '1e3m',
  '-5m',
  '1h30m',
  '',
];

/** Names the library files use, so a swapped-in name is sometimes a valid one. */
const NAMES = [
  'us-east',
  'us-west',
  'eu-west',
  'ca-central',
  'ap-south',
  'error_rate',
  'latency_p99',
  'threshold',
  'sequential',
  'kind',
  'fleet',
  'staging',
  'hosts',
  'region',
  'memory-leak',
  'crash-loop',
  'traffic-spike',
  'manual',
  'lognormal',
  'interval',
  'cumulative',
  'constructor',
  '__proto__',
  'toString',
];

/** A plain value to put in place of a node. */
const scalarValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer({ min: -10, max: 200_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_DURATIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const plainValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarValue,
    tie('list'),
    tie('map'),
  ),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(
    fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...NAMES)),
    tie('node'),
    {
      maxKeys: 4,
    },
  ),
})).node;

/** Tags a file might carry: the core schema's, YAML 1.1's, and ones nobody defines. */
const TAGS = [
  '!!str',
  '!!int',
  '!!float',
  '!!bool',
  '!!null',
  '!!map',
  '!!seq',
  '!!binary',
  '!!set',
  '!!omap',
  '!!pairs',
  '!!timestamp',
  '!foo',
  '!',
  'tag:example.com,2000:app/x',
];

/** One mutation; `at` and `to` pick nodes modulo the number of nodes. */
export type Mutation =
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'scale'; at: number; power: number }
  | { op: 'renumber'; at: number; factor: number; to: number | undefined }
  | { op: 'delete'; at: number }
  | { op: 'unknown-key'; at: number; key: string; value: unknown }
  | { op: 'duplicate-key'; at: number; value: unknown }
  | { op: 'nest'; at: number; depth: number; list: boolean }
  | { op: 'alias'; at: number; to: number }
  | { op: 'tag'; at: number; tag: string }
  | { op: 'swap'; at: number; to: number };

/** Numbers kept numbers and durations kept durations: documents that often still load and run. */
export const valueMutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constant('renumber' as const),
  at: fc.nat(),
  factor: fc.constantFrom(0, -1, 1e-3, 0.1, 0.5, 0.999, 1.001, 2, 10, 100, 1e4),
  to: fc.option(fc.constantFrom(...EDGE_NUMBERS), { freq: 3 }).map((v) => v ?? undefined),
});

/** Mutations of every kind, weighted towards the value-level ones that reach the simulator. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: scalarValue }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: plainValue }),
  },
  { weight: 6, arbitrary: valueMutation },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('scale' as const),
      at: fc.nat(),
      power: fc.integer({ min: -12, max: 12 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('unknown-key' as const),
      at: fc.nat(),
      key: fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('', 'bake2', 'treshold', ...NAMES),
      ),
      value: scalarValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('duplicate-key' as const),
      at: fc.nat(),
      value: scalarValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      at: fc.nat(),
      depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(500, 3000)),
      list: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('alias' as const), at: fc.nat(), to: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('tag' as const),
      at: fc.nat(),
      tag: fc.constantFrom(...TAGS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  },
);

function parentOf(doc: Document, path: readonly Key[]): unknown {
  return path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
}

/** Replaces the node at `path` (the root when empty). */
function put(doc: Document, path: readonly Key[], node: unknown): void {
  if (path.length === 0) doc.contents = node as Document['contents'];
  else doc.setIn(path, node);
}

/** Whether `inner` is `outer` or lies inside it. */
function within(outer: readonly Key[], inner: readonly Key[]): boolean {
  return outer.length <= inner.length && outer.every((k, i) => inner[i] === k);
}

let anchors = 0;
/** Deep nesting to write in place of placeholder scalars, by placeholder. */
const deepText = new Map<string, string>();

/** Puts the deep nesting where its placeholders were written. */
function withDeepText(written: string): string {
  let out = written;
  for (const [token, deep] of deepText) out = out.replace(token, deep);
  deepText.clear();
  return out;
}

function apply(doc: Document, m: Mutation, log: string[]): void {
  const all = locate(doc.contents);
  if (all.length === 0) {
    if (m.op === 'replace') doc.contents = doc.createNode(m.value);
    return;
  }
  const target = all[m.at % all.length]!;
  const { path, node } = target;
  log.push(`${m.op} ${path.length === 0 ? '(root)' : path.join('.')}${describeValue(m)}`);
  switch (m.op) {
    case 'replace':
      put(doc, path, doc.createNode(m.value));
      return;
    case 'renumber': {
      // Only numbers and durations: pick the m.at-th of them rather than of every node.
      const leaves = all.filter(
        (l) =>
          isScalar(l.node) &&
          (typeof l.node.value === 'number' ||
            (typeof l.node.value === 'string' && /^\d+(\.\d+)?(ms|s|m|h|d|w)$/.test(l.node.value))),
      );
      if (leaves.length === 0) return;
      const leaf = leaves[m.at % leaves.length]!.node as Scalar;
      log[log.length - 1] =
        `renumber ${leaves[m.at % leaves.length]!.path.join('.')}${describeValue(m)}`;
      if (typeof leaf.value === 'number') leaf.value = m.to ?? leaf.value * m.factor;
      else
        leaf.value = String(leaf.value).replace(/^\d+(\.\d+)?/, (n) =>
          String(Math.abs(Number(n) * m.factor)),
        );
      return;
    }
    case 'scale': {
      if (isScalar(node) && typeof node.value === 'number') {
        node.value = node.value * 10 ** m.power;
      } else if (isScalar(node) && typeof node.value === 'string') {
        // Durations and other unit strings: scale the leading number.
        node.value = node.value.replace(/^\d+(\.\d+)?/, (n) => String(Number(n) * 10 ** m.power));
      }
      return;
    }
    case 'delete':
      if (path.length === 0) doc.contents = null;
      else doc.deleteIn(path);
      return;
    case 'unknown-key': {
      const map = isMap(node) ? node : parentOf(doc, path);
      if (isMap(map)) map.items.push(new Pair(new Scalar(m.key), doc.createNode(m.value)));
      return;
    }
    case 'duplicate-key': {
      const map = isMap(node) ? node : parentOf(doc, path);
      if (isMap(map) && map.items.length > 0) {
        const first = map.items[m.at % map.items.length]!;
        map.items.push(new Pair(first.key, doc.createNode(m.value)));
      }
      return;
    }
    case 'nest': {
      // Written as flow text after the document (see mutateText): the yaml writer recurses
      // per level and would fail long before the loader's limit is tested past the parser's.
      const token = `NEST${deepText.size}END`;
      const open = m.list ? '[' : '{ k: ';
      const close = m.list ? ']' : ' }';
      deepText.set(token, `${open.repeat(m.depth)}1${close.repeat(m.depth)}`);
      put(doc, path, new Scalar(token));
      return;
    }
    case 'alias': {
      const source = all[m.to % all.length]!;
      if (isAlias(source.node) || (source.path.length === 0 && path.length === 0)) return;
      const alias = doc.createAlias(source.node as Scalar, `a${anchors++}`);
      // An alias inside its own anchor (recursion) or before it (unresolved) is left as made.
      put(doc, path, alias);
      return;
    }
    case 'tag':
      if (!isAlias(node)) node.tag = m.tag;
      return;
    case 'swap': {
      const other = all[m.to % all.length]!;
      if (within(path, other.path) || within(other.path, path)) return;
      const a = doc.getIn(path, true);
      const b = doc.getIn(other.path, true);
      put(doc, path, b);
      put(doc, other.path, a);
      return;
    }
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

/** Parsed library files, cloned for each run: parsing is most of a run's cost. */
const parsed = new Map<string, Document>();

/**
 * Applies mutations to a copy of the parsed `text` and writes the result back as YAML.
 * Mutations that cannot apply (a key added to a list) do nothing; one that the YAML writer
 * cannot write (it happens with some tags) is undone. `log` receives what each one did.
 */
export function mutateText(
  text: string,
  mutations: readonly Mutation[],
  log: string[] = [],
): string {
  let base = parsed.get(text);
  if (base === undefined) parsed.set(text, (base = parseDocument(text, { uniqueKeys: false })));
  const doc = base.clone();
  deepText.clear();
  for (const m of mutations) apply(doc, m, log);
  try {
    return withDeepText(doc.toString({ lineWidth: 0 }));
  } catch {
    // The yaml writer refuses some of what we build (e.g. a tag it cannot write): keep the
    // mutations it can write, one at a time.
    log.length = 0;
    deepText.clear();
    let written = text;
    const again = base.clone();
    for (const m of mutations) {
      try {
        apply(again, m, log);
        written = withDeepText(again.toString({ lineWidth: 0 }));
      } catch {
        log.push('(undone)');
        return written;
      }
    }
    return written;
  }
}

/** The payload of a mutation, briefly, for the log. */
function describeValue(m: Mutation): string {
  const brief = (v: unknown): string => {
    const s =
      typeof v === 'number'
        ? String(v)
        : (JSON.stringify(v, (_k, x: unknown) =>
            typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
          ) ?? String(v));
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  };
  switch (m.op) {
    case 'replace':
    case 'duplicate-key':
      return ` = ${brief(m.value)}`;
    case 'unknown-key':
      return ` + ${brief(m.key)}: ${brief(m.value)}`;
    case 'scale':
      return ` × 1e${m.power}`;
    case 'renumber':
      return m.to !== undefined ? ` = ${m.to}` : ` × ${m.factor}`;
    case 'nest':
      return ` in ${m.depth} ${m.list ? 'lists' : 'mappings'}`;
    case 'tag':
      return ` ${m.tag}`;
    case 'alias':
    case 'swap':
      return ` with node ${m.to}`;
    case 'delete':
      return '';
    default: {
      const never: never = m;
      return String(never);
    }
  }
}
