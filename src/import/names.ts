/**
 * Looking up predefined configuration names (CodeDeploy, AppConfig) with a "did you mean" for
 * near misses, and the input those importers take: a predefined name or a configuration file.
 */
import { GatesimError } from '../errors.js';
import type { SourceText } from './source.js';

/** A predefined configuration by name, or a configuration file. */
export type ConfigInput = { kind: 'name'; name: string } | { kind: 'file'; source: SourceText };

/** Levenshtein distance, case-insensitive (names differ mostly by typos and case). */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * Finds `input` among `names` (exact, then ignoring case), after removing any of `prefixes`
 * (`CodeDeployDefault.`, `AppConfig.`); an unknown name is a GatesimError listing the names.
 */
export function lookupName<T>(
  input: string,
  table: Readonly<Record<string, T>>,
  prefixes: readonly string[],
  what: string,
): [string, T] {
  let bare = input.trim();
  for (const p of prefixes) if (bare.startsWith(p)) bare = bare.slice(p.length);
  const names = Object.keys(table);
  const exact =
    names.find((n) => n === bare) ?? names.find((n) => n.toLowerCase() === bare.toLowerCase());
  if (exact !== undefined) return [exact, table[exact]!];
  const best = [...names].sort((x, y) => distance(bare, x) - distance(bare, y))[0];
  const hint =
    best !== undefined && distance(bare, best) <= Math.max(3, Math.floor(best.length / 4))
      ? `; did you mean ${best}?`
      : '';
  throw new GatesimError(
    'invalid-input',
    `unknown ${what} ${JSON.stringify(input)}${hint} (predefined: ${names.join(', ')}; or give a JSON file)`,
  );
}
