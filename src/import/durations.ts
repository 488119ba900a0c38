/**
 * Durations as the source tools write them: Go's `time.ParseDuration` strings (Argo and Flagger
 * intervals: `30s`, `5m`, `1h30m`; no days) and Argo's pause duration, where a bare number
 * (or a numeric string) is seconds (types.go, RolloutPause.DurationSeconds).
 */
import type { Minutes } from '../world/types.js';
import type { SourceNode } from './source.js';

const GO_UNIT_MINUTES: Record<string, number> = {
  ns: 1 / 6e10,
  us: 1 / 6e7,
  µs: 1 / 6e7,
  μs: 1 / 6e7,
  ms: 1 / 60000,
  s: 1 / 60,
  m: 1,
  h: 60,
};
const GO_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration (`1h30m`, `90s`, `0`) to minutes; undefined when it is not one or is negative. */
export function parseGoDuration(text: string): Minutes | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '' || s.startsWith('-')) return undefined;
  const body = s.startsWith('+') ? s.slice(1) : s;
  let total = 0;
  GO_PART.lastIndex = 0;
  let at = 0;
  while (at < body.length) {
    GO_PART.lastIndex = at;
    const m = GO_PART.exec(body);
    if (m === null) return undefined;
    total += Number(m[1]) * GO_UNIT_MINUTES[m[2]!]!;
    at = GO_PART.lastIndex;
  }
  return at === 0 ? undefined : total;
}

/** Reads a Go duration field; an error names the field and shows what is accepted. */
export function goDuration(node: SourceNode): Minutes {
  const v = node.value;
  const minutes = typeof v === 'string' ? parseGoDuration(v) : undefined;
  if (minutes === undefined)
    return node.expected('a duration such as 30s, 5m or 1h30m (Go syntax: ns, us, ms, s, m, h)');
  return minutes;
}

/** Reads an Argo pause duration: a whole number (or numeric string) of seconds, or a Go duration. */
export function argoPauseDuration(node: SourceNode): Minutes {
  const v = node.value;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0)
      return node.expected('a whole number of seconds ≥ 0 or a duration such as 30s, 5m, 1h');
    return v / 60;
  }
  if (typeof v === 'string') {
    if (/^\d+$/.test(v.trim())) return Number(v.trim()) / 60;
    const m = parseGoDuration(v);
    if (m !== undefined) return m;
  }
  return node.expected('a whole number of seconds ≥ 0 or a duration such as 30s, 5m, 1h');
}
