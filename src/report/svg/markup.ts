/**
 * A tiny markup builder for SVG and HTML. Markup made by `el` is trusted; any plain string
 * given as a child or attribute value is escaped. Escaping is therefore the default and a
 * name from input cannot become markup by forgetting a call.
 */
import { escapeHtml } from '../escape.js';

/** Markup known to be safe: built by `el`, or a constant wrapped with `trusted`. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A child of an element: markup as is, text escaped; `undefined`, `false` and `null` are skipped. */
export type Child = Markup | string | number | undefined | null | false | readonly Child[];

/** Attribute values: strings are escaped, numbers rounded to two decimals, `undefined` omitted. */
export type Attrs = Record<string, string | number | undefined>;

/** Wraps a constant (never input) as markup, e.g. the page's stylesheet. */
export function trusted(text: string): Markup {
  return new Markup(text);
}

/** Rounds a coordinate so the output is compact and stable across platforms. */
export function fmt(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function renderChild(child: Child): string {
  if (child === undefined || child === null || child === false) return '';
  if (child instanceof Markup) return child.value;
  if (typeof child === 'number') return escapeHtml(fmt(child));
  if (typeof child === 'string') return escapeHtml(child);
  return child.map(renderChild).join('');
}

const VOID_HTML = new Set(['meta', 'br', 'hr', 'col', 'wbr']);
// Only SVG shapes self-close: `<div/>` would open a div in HTML, unlike `<rect/>` inside <svg>.
const SELF_CLOSING_SVG = new Set([
  'line',
  'rect',
  'circle',
  'path',
  'polyline',
  'polygon',
  'ellipse',
]);
const NAME_RE = /^[a-zA-Z][a-zA-Z0-9:-]*$/;

/**
 * Builds an element. Tag and attribute names are code, not input, and are checked to be names.
 * @example el('text', { x: 10, y: 20 }, policyName)
 */
export function el(tag: string, attrs: Attrs = {}, ...children: Child[]): Markup {
  if (!NAME_RE.test(tag)) throw new Error(`bad tag name ${JSON.stringify(tag)}`);
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (!NAME_RE.test(name)) throw new Error(`bad attribute name ${JSON.stringify(name)}`);
    open += ` ${name}="${typeof value === 'number' ? fmt(value) : escapeHtml(value)}"`;
  }
  const body = children.map(renderChild).join('');
  if (VOID_HTML.has(tag)) return new Markup(`${open}>`);
  if (body === '' && SELF_CLOSING_SVG.has(tag)) return new Markup(`${open}/>`);
  return new Markup(`${open}>${body}</${tag}>`);
}

/** Joins children into one piece of markup. */
export function fragment(...children: Child[]): Markup {
  return new Markup(children.map(renderChild).join(''));
}
