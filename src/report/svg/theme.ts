/** Colours and type sizes shared by every chart, so the report reads as one piece. */

/** Okabe–Ito colours (distinguishable with common colour-vision deficiencies), then greys. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#000000',
  '#999933',
  '#882255',
  '#7F7F7F',
] as const;

/** The colour of the i-th series or policy; wraps around after ten. */
export function colorAt(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

export const THEME = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontSize: 12,
  titleSize: 14,
  text: '#222222',
  muted: '#666666',
  grid: '#e5e5e5',
  axis: '#888888',
  /** Average glyph width as a share of the font size, for laying out labels without a browser. */
  charWidth: 0.6,
} as const;

/** An estimate of a label's width in pixels at the given font size. */
export function textWidth(text: string, size: number = THEME.fontSize): number {
  return [...text].length * size * THEME.charWidth;
}

/** Shortens a label to fit `maxWidth` pixels, ending it with an ellipsis. */
export function truncate(text: string, maxWidth: number, size: number = THEME.fontSize): string {
  const chars = [...text];
  const fit = Math.max(1, Math.floor(maxWidth / (size * THEME.charWidth)));
  return chars.length <= fit ? text : `${chars.slice(0, Math.max(1, fit - 1)).join('')}…`;
}
