/**
 * Structural checks on generated HTML/SVG without a browser: tags balance, and every tag is
 * one the writers are meant to produce (so an unescaped `<img` or `<script` from input shows up).
 */
const VOID = new Set(['meta', 'br', 'hr', 'col', 'wbr']);

/** Every element the report writers emit. */
export const ALLOWED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'header',
  'nav',
  'main',
  'footer',
  'section',
  'h1',
  'h2',
  'h3',
  'p',
  'ul',
  'li',
  'a',
  'strong',
  'span',
  'details',
  'summary',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'svg',
  'desc',
  'g',
  'rect',
  'line',
  'text',
  'circle',
  'path',
  'polyline',
]);

/** Tag names in order of appearance (opening tags only), ignoring the <style> body. */
export function tagNames(markup: string): string[] {
  const withoutStyle = markup.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  return [...withoutStyle.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => m[1]!.toLowerCase());
}

/** Throws unless open and close tags nest properly. */
export function assertBalanced(markup: string): void {
  const body = markup
    .replace(/<!doctype[^>]*>/i, '')
    .replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, rawName, , selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (closing === '/') {
      const top = stack.pop();
      if (top !== name) throw new Error(`</${name}> closes <${top ?? 'nothing'}> at ${m.index}`);
    } else if (selfClosing !== '/' && !VOID.has(name)) stack.push(name);
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(' > ')}`);
}

/** How often an opening tag occurs. */
export function countTags(markup: string, name: string): number {
  return tagNames(markup).filter((t) => t === name).length;
}
