/**
 * Escaping for the text the reports embed. Every string that comes from input (scenario,
 * policy, check and template names) passes through one of these before it reaches a file
 * a person opens, so a name like `<img src=x onerror=alert(1)>` is shown, never run.
 */

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML/SVG element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Escapes text for a Markdown table cell or sentence: Markdown punctuation is backslashed,
 * `<`, `>`, `&` become entities, because GitHub renders raw HTML inside Markdown, and every
 * line ending CommonMark knows (`\n`, `\r\n` and a lone `\r`) becomes a space, so a name
 * cannot split a table row.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!)
    .replace(/\r\n|\r|\n/g, ' ');
}
