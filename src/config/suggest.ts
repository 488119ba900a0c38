/**
 * "Did you mean" suggestions for misspelt keys, kinds and enum values. A suggestion is only
 * offered when it is clearly the closest name; a wrong hint is worse than none.
 */

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`fial` → `fail` is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rolling rows are enough for the transposition case.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2]! + 1);
      }
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Folds case and separators so `error-rate`, `error_rate` and `errorRate` compare equal. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate closest to `input`, or undefined when none is close: an exact match after
 * folding case and separators, a prefix of at least 3 characters (`monday` → `mon`), or an
 * edit distance of at most a third of the longer name (at least 1).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const folded = fold(input);
  if (folded === '') return undefined;
  for (const c of candidates) if (fold(c) === folded) return c;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(folded, fold(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined) {
    const other = fold(best);
    const limit = Math.max(1, Math.floor(Math.max(folded.length, other.length) / 3));
    // Replacing every character of a short name is no resemblance (`b` is not close to `a`).
    if (bestDistance <= limit && bestDistance < Math.min(folded.length, other.length)) return best;
  }
  for (const c of candidates) {
    const fc = fold(c);
    if (
      fc.length >= 3 &&
      (folded.startsWith(fc) || (folded.length >= 3 && fc.startsWith(folded)))
    ) {
      return c;
    }
  }
  return undefined;
}

/** `; did you mean \`x\`?` when a candidate is close, else an empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : `; did you mean \`${c}\`?`;
}

/** Lists names for a message: `` `a`, `b` or `c` ``. */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
