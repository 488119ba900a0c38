/**
 * The recommended policy as YAML with its reasons as comments: a header that says how it was
 * found and what it is expected to do, and beside each node a dimension wrote, the choice and
 * the trials it fixes (evidence.ts). Mappings that read best on one line (judges, targets,
 * windows) are written in flow style, like the built-in policies.
 */
import { Document, isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import type { Container } from './path.js';
import type { Touch } from './patch.js';

/** Keys whose mapping value is written on one line. */
const FLOW_KEYS = new Set([
  'judge',
  'target',
  'rollbackDrill',
  'rollback',
  'manualResume',
  'ciTests',
  'delay',
]);
/** Keys whose list items (mappings) are written one per line. */
const FLOW_ITEMS = new Set(['deployWindows', 'metrics']);

/** Wraps text into comment lines of at most `width` characters, each starting with a space. */
export function commentLines(text: string, width = 96, indent = ''): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ` ${l}`);
}

function pathsOf(root: unknown): Map<Container, (string | number)[]> {
  const out = new Map<Container, (string | number)[]>();
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (typeof v !== 'object' || v === null) return;
    const c = v as Container;
    if (out.has(c)) return;
    out.set(c, path);
    if (Array.isArray(c)) c.forEach((x, i) => walk(x, [...path, i]));
    else for (const [k, x] of Object.entries(c)) walk(x, [...path, k]);
  };
  walk(root, []);
  return out;
}

function appendComment(node: { commentBefore?: string | null }, lines: readonly string[]): void {
  const text = lines.join('\n');
  node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
}

/** Puts comment lines above the node at `path` (above its key, in a mapping). */
function commentAt(
  doc: Document,
  path: readonly (string | number)[],
  lines: readonly string[],
): boolean {
  if (path.length === 0) return false;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1]!;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair === undefined || !isScalar(pair.key)) return false;
    appendComment(pair.key, lines);
    return true;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    if (item === undefined || item === null || typeof item !== 'object') return false;
    appendComment(item as Node, lines);
    return true;
  }
  return false;
}

/** A comment cannot sit inside a one-line mapping: it goes above the key that holds it. */
function outsideFlow(path: readonly (string | number)[]): (string | number)[] {
  for (let j = 0; j < path.length - 1; j++) {
    const k = path[j];
    if (typeof k === 'string' && (FLOW_KEYS.has(k) || FLOW_ITEMS.has(k)))
      return path.slice(0, j + 1);
  }
  return [...path];
}

/** A comment for the nodes one dimension wrote. */
export interface NodeNote {
  touches: readonly Touch[];
  lines: string[];
}

/**
 * Writes `data` as YAML: `header` lines on top, each note above the first node it touched
 * that is still in the policy (a later patch may have removed it; the header still says it).
 */
export function renderCommented(
  data: Record<string, unknown>,
  header: readonly string[],
  notes: readonly NodeNote[],
): string {
  const doc = new Document(data);
  const paths = pathsOf(data);
  for (const note of notes) {
    for (const t of note.touches) {
      const base = paths.get(t.container);
      if (base === undefined) continue;
      const path = outsideFlow(t.key === undefined ? base : [...base, t.key]);
      if (commentAt(doc, path, note.lines)) break;
    }
  }
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      if (FLOW_KEYS.has(key) && isMap(pair.value)) pair.value.flow = true;
      if (FLOW_ITEMS.has(key) && isSeq(pair.value))
        for (const item of pair.value.items) if (isMap(item)) item.flow = true;
    },
  });
  doc.commentBefore = header.join('\n');
  return doc.toString({ lineWidth: 0 });
}
