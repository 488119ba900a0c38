/**
 * Turns zod issues into ValidationIssues a person can act on: a path written the way the
 * YAML reads (`stages[2].checks[0].failureLimit`) and a message of the form
 * `expected <what>, got <value>`. Plugin schemas written without custom messages go through
 * the same error map, so their issues read like ours.
 */
import type { z } from 'zod';
import type { ValidationIssue } from '../errors.js';
import { didYouMean, listNames } from './suggest.js';

/** Keys written bare in a path; any other key (empty, with dots or spaces) is quoted. */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Writes a path as it reads in the file: `stages[2].checks[0].failureLimit`. A key that is
 * not a plain name is quoted in brackets (`traffic[""]`, `ciTests["a.b"]`), so an empty key
 * never reads as the document itself and a key with a dot never reads as two.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const k = String(key);
      if (!PLAIN_KEY.test(k)) out += `[${JSON.stringify(k)}]`;
      else out += out === '' ? k : `.${k}`;
    }
  }
  return out;
}

/** Shows an offending value briefly: strings and numbers as written, containers by kind. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'string') {
    const s = v.length > 60 ? `${v.slice(0, 57)}...` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** `expected <desc>, got <value>`, or `required: expected <desc>` when the key is missing. */
export function expectMessage(desc: string, input: unknown): string {
  return input === undefined
    ? `required: expected ${desc}`
    : `expected ${desc}, got ${showValue(input)}`;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  map: 'a mapping',
  null: 'null',
  undefined: 'nothing',
  bigint: 'a number',
  nan: '.nan',
  date: 'a date',
  never: 'nothing here',
  literal: 'a fixed value',
  tuple: 'a list',
  set: 'a list',
};

function typeWord(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

function bound(kind: 'min' | 'max', origin: string, value: unknown, inclusive: boolean): string {
  const v = typeof value === 'bigint' ? value.toString() : String(value);
  switch (origin) {
    case 'number':
    case 'int':
    case 'bigint':
      return `a number ${kind === 'min' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<'} ${v}`;
    case 'array':
    case 'set':
      return `a list with ${kind === 'min' ? 'at least' : 'at most'} ${v} item${v === '1' ? '' : 's'}`;
    case 'string':
      return `a string with ${kind === 'min' ? 'at least' : 'at most'} ${v} character${v === '1' ? '' : 's'}`;
    default:
      return `a value ${kind === 'min' ? '≥' : '≤'} ${v}`;
  }
}

/** Describes the expectation of an issue raised inside a union branch, for `expected a or b`. */
function branchExpectation(issues: readonly z.core.$ZodIssue[]): string | undefined {
  const first = issues[0];
  if (first === undefined || first.path.length > 0) return undefined;
  if (first.code === 'invalid_type') return typeWord(first.expected);
  if (first.code === 'invalid_value')
    return `one of ${first.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return undefined;
}

/**
 * The error map handed to every parse: schemas that set their own messages keep them (zod gives
 * schema-level messages precedence), everything else gets an `expected …, got …` message.
 */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  const input = iss.input;
  switch (iss.code) {
    case 'invalid_type':
      return expectMessage(typeWord(iss.expected), input);
    case 'too_small':
      return expectMessage(bound('min', iss.origin, iss.minimum, iss.inclusive ?? true), input);
    case 'too_big':
      return expectMessage(bound('max', iss.origin, iss.maximum, iss.inclusive ?? true), input);
    case 'invalid_value': {
      const values = iss.values.map((v) => (typeof v === 'string' ? v : String(v)));
      const hint = typeof input === 'string' ? didYouMean(input, values) : '';
      return `${expectMessage(`one of ${listNames(values)}`, input)}${hint}`;
    }
    case 'not_multiple_of':
      return expectMessage(`a multiple of ${String(iss.divisor)}`, input);
    case 'invalid_format':
      return expectMessage(`a ${iss.format} string`, input);
    case 'unrecognized_keys':
      return iss.keys.map((k) => `unknown key \`${k}\``).join('\n');
    case 'invalid_key':
      return `invalid key ${showValue(input)}`;
    case 'invalid_element':
      return `invalid entry ${showValue(input)}`;
    case 'invalid_union': {
      const parts = iss.errors.map(branchExpectation);
      if (parts.length > 0 && parts.every((p) => p !== undefined)) {
        return expectMessage([...new Set(parts)].join(' or '), input);
      }
      return expectMessage('a value of another shape', input);
    }
    case 'custom':
      return iss.message ?? `invalid value ${showValue(input)}`;
    default:
      return undefined;
  }
};

/** Parse options every loader uses: our error map, and the input kept for messages. */
export const PARSE_OPTIONS = { error: errorMap, reportInput: true } as const;

/** An issue with its path still as keys, for re-raising inside a parent schema. */
export interface RawIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * Flattens zod issues. `unrecognized_keys` carries one message line per key (see
 * `strictObject` in fields.ts), so it becomes one issue per key with the key in the path.
 */
export function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): RawIssue[] {
  const out: RawIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'unrecognized_keys') {
      const lines = iss.message.split('\n');
      iss.keys.forEach((key, i) => {
        out.push({ path: [...path, key], message: lines[i] ?? `unknown key \`${key}\`` });
      });
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

/** Zod issues as ValidationIssues with printable paths, duplicates dropped. */
export function toValidationIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return dedupe(
    flattenIssues(issues, prefix).map((i) => ({ path: formatPath(i.path), message: i.message })),
  );
}

/** Drops repeated issues (the two corners of a range often fail the same way). */
export function dedupe(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const i of issues) {
    const key = `${i.path}\u0000${i.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(i);
    }
  }
  return out;
}
