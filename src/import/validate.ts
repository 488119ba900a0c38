/**
 * An importer's last step: the policy it is about to write is read back with the project's own
 * policy loader (src/config's parsePolicy), so an importer either writes a policy that
 * `gatesim compare` accepts or stops with an input error (exit 2). The loader names a path in
 * the policy, a file the user never wrote; every draft stage, check and field remembers the
 * source field it came from, so the error names that instead: the file and the path inside it.
 */
import { parsePolicy } from '../config/index.js';
import type { PolicyConfig } from '../policy/types.js';
import { GatesimError, ValidationError, formatIssues } from '../errors.js';
import type { ValidationIssue } from '../errors.js';
import type { DraftCheck, DraftPolicy, SourceRef } from './draft.js';

/** The name the policy is checked under (it only names the policy in the loader's messages). */
const CHECKED_AS = 'imported.yaml';

/** `stages[2].checks[0].judge.min` → `['stages', 2, 'checks', 0, 'judge', 'min']`. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g))
    out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  return out;
}

/** The source field a draft value was read from, if `obj[key]` is a noted value that says. */
function fieldSource(obj: object, key: string | number | undefined): SourceRef | undefined {
  if (typeof key !== 'string' || !Object.hasOwn(obj, key)) return undefined;
  const v: unknown = (obj as Record<string, unknown>)[key];
  if (typeof v !== 'object' || v === null || !('from' in v)) return undefined;
  const from = (v as { from?: SourceRef }).from;
  return from;
}

/**
 * Where in the sources a path of the imported policy came from: the noted field's own source
 * when it has one, else the nearest check, stage, watch or the policy's source document.
 */
export function sourceOf(draft: DraftPolicy, policyPath: string): SourceRef {
  const [head, i, ...rest] = pathSegments(policyPath);
  let checks: readonly DraftCheck[];
  let at: SourceRef = draft.at;
  let tail: (string | number | undefined)[];
  if (head === 'stages' && typeof i === 'number' && draft.stages[i] !== undefined) {
    const stage = draft.stages[i];
    at = stage.at;
    checks = stage.checks;
    if (rest[0] !== 'checks') return fieldSource(stage, rest[0]) ?? at;
    tail = rest.slice(1);
  } else if (head === 'watch' && draft.watch !== undefined) {
    at = draft.watch.at;
    checks = draft.watch.checks;
    if (i !== 'checks') return fieldSource(draft.watch, i) ?? at;
    tail = rest;
  } else {
    return fieldSource(draft, head) ?? at;
  }
  const j = tail[0];
  const check = typeof j === 'number' ? checks[j] : undefined;
  if (check === undefined) return at;
  return fieldSource(check, tail[1]) ?? check.at;
}

/**
 * Loads `text` (the YAML written for `draft`) with the policy loader; when it is rejected,
 * throws an input error at the source fields the rejected values came from, each with the
 * loader's reason and the policy path it found.
 */
export function validateImported(draft: DraftPolicy, text: string): PolicyConfig {
  try {
    return parsePolicy(text, CHECKED_AS);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw importError(draft, e.issues);
  }
}

function importError(draft: DraftPolicy, issues: readonly ValidationIssue[]): GatesimError {
  // One line per source field and reason: a check copied onto every weight fails once.
  const byFile = new Map<string, ValidationIssue[]>();
  const seen = new Set<string>();
  for (const issue of issues) {
    const src = sourceOf(draft, issue.path);
    const key = JSON.stringify([src.file, src.path, issue.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byFile.get(src.file) ?? [];
    list.push({
      path: src.path,
      message: `gatesim cannot import this: the policy it makes is invalid at ${issue.path === '' ? 'its root' : issue.path}: ${issue.message}`,
    });
    byFile.set(src.file, list);
  }
  const files = [...byFile];
  if (files.length === 1) return new ValidationError(files[0]![0], files[0]![1]);
  return new GatesimError(
    'invalid-input',
    files.map(([file, list]) => formatIssues(file, list)).join('\n'),
  );
}
