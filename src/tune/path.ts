/**
 * Paths into a policy's YAML document, written the way validation messages write them:
 * `stages[1].checks[0].judge.max`, `watch.duration`. A path is resolved against the parsed
 * document (not the validated config), so it names what the file says, and the tuned value
 * can be written back into the same text with its comments and layout intact.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { GatesimError } from '../errors.js';
import { didYouMean, listNames } from '../config/suggest.js';

/** One step of a path: a mapping key or a list index. */
export type PathKey = string | number;

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*/;

/**
 * Splits `stages[1].checks[0].judge.max` into `['stages', 1, 'checks', 0, 'judge', 'max']`.
 * @throws GatesimError when the text is not a path.
 */
export function parsePath(text: string, context: string): PathKey[] {
  const keys: PathKey[] = [];
  let rest = text.trim();
  const fail = (why: string): never => {
    throw new GatesimError('bad-param', `${context}: ${why} in path "${text}"`);
  };
  if (rest === '') fail('expected a path such as stages[0].checks[0].judge.max');
  let first = true;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      const m = /^\[(\d+)\]/.exec(rest);
      if (m === null) fail('expected a list index such as [0]');
      keys.push(Number(m![1]));
      rest = rest.slice(m![0].length);
    } else {
      if (!first) {
        if (!rest.startsWith('.')) fail(`expected "." or "[" before "${rest}"`);
        rest = rest.slice(1);
      }
      const m = KEY_RE.exec(rest);
      if (m === null) fail(`expected a key name at "${rest}"`);
      keys.push(m![0]);
      rest = rest.slice(m![0].length);
    }
    first = false;
  }
  return keys;
}

/** Writes a path back as text. */
export function formatPath(keys: readonly PathKey[]): string {
  let out = '';
  for (const k of keys) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

/** Where a path ends in the document: an existing scalar, or a key a mapping does not have yet. */
export type Located =
  { kind: 'scalar'; node: Scalar; value: unknown } | { kind: 'absent'; parentKeys: string[] };

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return `the value ${JSON.stringify(node.value)}`;
  return 'nothing';
}

/**
 * Follows a path through the document. Every step but the last must exist; the last may
 * be a key its mapping leaves out (a field with a default), which the caller then adds.
 * Aliases are refused: changing an anchored node would change every copy of it.
 * @throws GatesimError naming the first step that does not resolve.
 */
export function locate(doc: Document, keys: readonly PathKey[], context: string): Located {
  let node: unknown = doc.contents;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const here = i === 0 ? '(the top level)' : formatPath(keys.slice(0, i));
    const last = i === keys.length - 1;
    if (isAlias(node)) {
      throw new GatesimError(
        'bad-param',
        `${context}: ${here} is an alias of &${node.source}; tuning through it would change every ` +
          `copy of the anchor: tune the anchored node's own path, or write the copy out in full`,
      );
    }
    if (typeof key === 'number') {
      if (!isSeq(node))
        throw new GatesimError('bad-param', `${context}: ${here} is ${describe(node)}, not a list`);
      if (key >= node.items.length) {
        const n = node.items.length;
        throw new GatesimError(
          'bad-param',
          `${context}: ${here} has ${n} item${n === 1 ? '' : 's'}` +
            (n > 0 ? ` (${here}[0] to ${here}[${n - 1}])` : '') +
            `, so ${formatPath(keys.slice(0, i + 1))} does not exist`,
        );
      }
      node = node.items[key];
      continue;
    }
    if (!isMap(node))
      throw new GatesimError(
        'bad-param',
        `${context}: ${here} is ${describe(node)}, not a mapping`,
      );
    const names = node.items
      .map((p) => (isScalar(p.key) ? String(p.key.value) : ''))
      .filter((s) => s !== '');
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair === undefined) {
      if (last) return { kind: 'absent', parentKeys: names };
      throw new GatesimError(
        'bad-param',
        `${context}: ${here} has no key "${key}" (it has ${listNames(names)})${didYouMean(key, names)}`,
      );
    }
    node = pair.value as Node | null;
  }
  if (isAlias(node)) {
    throw new GatesimError(
      'bad-param',
      `${context}: ${formatPath(keys)} is an alias of &${node.source}; tune the anchored value instead`,
    );
  }
  if (!isScalar(node))
    throw new GatesimError(
      'bad-param',
      `${context}: ${formatPath(keys)} is ${describe(node)}, not a number or a duration`,
    );
  return { kind: 'scalar', node, value: node.value };
}

/** Where an alias stands: its path in the document and its line and column (1-based). */
export interface AliasSite {
  path: string;
  line: number;
  column: number;
}

/** An anchored node a tuned path resolves to or passes through, and the aliases sharing it. */
export interface SharedAnchor {
  anchor: string;
  /** The anchored node's path (the tuned value's own, or a mapping or list above it). */
  at: string;
  aliases: AliasSite[];
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Every alias in the document with the path where it stands. */
function aliasesOf(doc: Document): { alias: Alias; keys: PathKey[] }[] {
  const out: { alias: Alias; keys: PathKey[] }[] = [];
  const visit = (node: unknown, keys: PathKey[]): void => {
    if (isAlias(node)) out.push({ alias: node, keys });
    else if (isMap(node)) {
      for (const p of node.items)
        if (isScalar(p.key)) visit(p.value, [...keys, String(p.key.value)]);
    } else if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...keys, i]));
  };
  visit(doc.contents, []);
  return out;
}

/**
 * The anchors a path's value is shared through: the node the path ends at (or, for a key
 * the file leaves out, the mapping that would get it) and every node above it, when it
 * carries an anchor that aliases elsewhere refer to. Tuning the value rewrites the anchored
 * text, so every alias sees the new value too. Call after `locate` has accepted the path.
 */
export function sharedAnchors(
  doc: Document,
  keys: readonly PathKey[],
  text: string,
): SharedAnchor[] {
  const along: { node: Node; keys: PathKey[] }[] = [];
  let node: unknown = doc.contents;
  for (let i = 0; i <= keys.length; i++) {
    if (isMap(node) || isSeq(node) || isScalar(node))
      along.push({ node: node as Node, keys: keys.slice(0, i) });
    if (i === keys.length) break;
    const key = keys[i]!;
    if (typeof key === 'number' && isSeq(node)) node = node.items[key];
    else if (typeof key === 'string' && isMap(node))
      node = node.items.find((p) => isScalar(p.key) && p.key.value === key)?.value;
    else break;
  }
  const anchored = along.filter((a) => typeof a.node.anchor === 'string' && a.node.anchor !== '');
  if (anchored.length === 0) return [];
  const aliases = aliasesOf(doc);
  const out: SharedAnchor[] = [];
  for (const a of anchored) {
    const sharing = aliases
      .filter((x) => x.alias.resolve(doc) === a.node)
      .map((x) => ({
        path: formatPath(x.keys) || '(the top level)',
        ...lineAndColumn(text, x.alias.range?.[0] ?? 0),
      }));
    if (sharing.length > 0)
      out.push({
        anchor: a.node.anchor!,
        at: formatPath(a.keys) || '(the top level)',
        aliases: sharing,
      });
  }
  return out;
}
