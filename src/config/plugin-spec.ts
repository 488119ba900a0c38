/**
 * Faults, confounders and judges are written `{ kind, ...params }`. This validates the kind
 * against its registry and the params against the plugin's own schema. Scenario params may be
 * ranges `{ min, max, log? }` drawn per trial: both corners are validated, and an issue on a
 * ranged param names the corner (`bytesPerRequest.min`).
 */
import type { z } from 'zod';
import { GatesimError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { rangeCorners } from '../world/params.js';
import { unknownKeyMessage } from './fields.js';
import type { RawIssue } from './issues.js';
import { expectMessage, flattenIssues, PARSE_OPTIONS, showValue } from './issues.js';
import { lookup } from './registries.js';
import { didYouMean, listNames } from './suggest.js';

/** What the spec validator needs from a plugin model. */
export interface PluginModelLike {
  readonly params: z.ZodType;
  /** Called on the validated params so a factory's own checks surface at load time. */
  create?: (...args: never[]) => unknown;
}

export interface PluginSpecOptions {
  /** `fault`, `confounder` or `judge`, for messages. */
  family: string;
  registry: Readonly<Record<string, PluginModelLike>>;
  /** Whether numbers may be ranges (scenarios yes, policies no). */
  ranges: boolean;
  /** Call the model's `create` on the validated params (faults, judges). */
  tryCreate: boolean;
}

export interface PluginSpecResult {
  kind: string;
  /** The params as written, ranges kept (duration-string corners turned into minutes). */
  raw: Record<string, unknown>;
  /** The params as the plugin's schema outputs them (defaults filled); the lower corner for ranges. */
  parsed: Record<string, unknown>;
}

/** A plain mapping (YAML maps become these; lists and null do not count). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RANGE_KEYS = ['min', 'max', 'log'];

/** Anything shaped like an attempt at a range: a mapping with `min` or `max`. */
function looksLikeRange(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && (Object.hasOwn(v, 'min') || Object.hasOwn(v, 'max'));
}

/** A range corner: a number, or a duration string (`10m`) read as minutes. */
function corner(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /[a-z]$/.test(v.trim())) return parseDuration(v);
  return undefined;
}

/** Validates one range; returns it normalised to numbers, or undefined after adding issues. */
export function parseRange(
  v: Record<string, unknown>,
  path: PropertyKey[],
  issues: RawIssue[],
): { min: number; max: number; log?: boolean } | undefined {
  const before = issues.length;
  for (const k of Object.keys(v)) {
    if (!RANGE_KEYS.includes(k))
      issues.push({ path: [...path, k], message: unknownKeyMessage(k, RANGE_KEYS) });
  }
  const min = corner(v.min);
  const max = corner(v.max);
  const desc = 'a number (or a duration such as 10m) for a range end';
  if (min === undefined)
    issues.push({ path: [...path, 'min'], message: expectMessage(desc, v.min) });
  if (max === undefined)
    issues.push({ path: [...path, 'max'], message: expectMessage(desc, v.max) });
  const log = v.log;
  if (log !== undefined && typeof log !== 'boolean') {
    issues.push({ path: [...path, 'log'], message: expectMessage('true or false', log) });
  }
  if (min !== undefined && max !== undefined) {
    if (min > max) {
      issues.push({ path: [...path, 'max'], message: `expected max ≥ min (${min}), got ${max}` });
    }
    if (log === true && min <= 0) {
      issues.push({
        path: [...path, 'min'],
        message: `expected min > 0 for a log-uniform range, got ${min}`,
      });
    }
  }
  if (issues.length > before || min === undefined || max === undefined) return undefined;
  return log === true ? { min, max, log: true } : { min, max };
}

/** The keys an object schema accepts, when it can be told (through pipes, defaults, optionals). */
export function schemaKeys(schema: z.core.$ZodType): string[] | undefined {
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, unknown>;
    catchall?: z.core.$ZodType;
    in?: z.core.$ZodType;
    innerType?: z.core.$ZodType;
  };
  switch (def.type) {
    case 'object':
      // A catchall other than `never` (loose objects) accepts any key.
      if (def.catchall !== undefined && def.catchall._zod.def.type !== 'never') return undefined;
      return def.shape === undefined ? undefined : Object.keys(def.shape);
    case 'pipe':
      return def.in === undefined ? undefined : schemaKeys(def.in);
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return def.innerType === undefined ? undefined : schemaKeys(def.innerType);
    default:
      return undefined;
  }
}

/**
 * Validates `{ kind, ...params }` (with `reserved` keys already removed by the caller) and
 * returns the result, or undefined with issues added (paths relative to the spec).
 */
export function parsePluginSpec(
  value: unknown,
  options: PluginSpecOptions,
  issues: RawIssue[],
): PluginSpecResult | undefined {
  const { family, registry } = options;
  const known = Object.keys(registry).sort();
  const knownList =
    known.length === 0 ? `no ${family} kinds are registered` : `known kinds: ${listNames(known)}`;
  if (!isPlainObject(value)) {
    issues.push({
      path: [],
      message: `${expectMessage(`a mapping with a \`kind\` (${knownList})`, value)}`,
    });
    return undefined;
  }
  const kind = value.kind;
  if (typeof kind !== 'string') {
    issues.push({
      path: ['kind'],
      message: `${expectMessage(`a ${family} kind (${knownList})`, kind)}`,
    });
    return undefined;
  }
  const model = lookup(registry, kind);
  if (model === undefined) {
    issues.push({
      path: ['kind'],
      message: `unknown ${family} kind ${showValue(kind)}${didYouMean(kind, known)} (${knownList})`,
    });
    return undefined;
  }

  const before = issues.length;
  const accepted = schemaKeys(model.params);
  const raw: Record<string, unknown> = {};
  const rangedKeys = new Set<string>();
  // Keys already reported as broken ranges: the corner checks would only add "required".
  const brokenKeys = new Set<string>();
  for (const [key, v] of Object.entries(value)) {
    if (key === 'kind') continue;
    if (accepted !== undefined && !accepted.includes(key)) {
      issues.push({ path: [key], message: unknownKeyMessage(key, ['kind', ...accepted]) });
      continue;
    }
    if (options.ranges && looksLikeRange(v)) {
      const range = parseRange(v, [key], issues);
      if (range !== undefined) {
        raw[key] = range;
        rangedKeys.add(key);
      } else brokenKeys.add(key);
      continue;
    }
    raw[key] = v;
  }
  // Unknown keys and broken ranges are reported; the remaining params are still checked.
  const corners = rangedKeys.size > 0 ? rangeCorners(raw) : [raw];
  const parsedCorners: Record<string, unknown>[] = [];
  corners.forEach((doc, cornerIndex) => {
    const result = model.params.safeParse(doc, PARSE_OPTIONS);
    if (!result.success) {
      for (const iss of flattenIssues(result.error.issues)) {
        const head = iss.path[0];
        if (typeof head === 'string' && brokenKeys.has(head)) continue;
        // An issue on a ranged value itself belongs to the corner that produced it.
        if (iss.path.length === 1 && typeof head === 'string' && rangedKeys.has(head)) {
          iss.path = [head, cornerIndex === 0 ? 'min' : 'max'];
        }
        issues.push(iss);
      }
      return;
    }
    const out: unknown = result.data;
    parsedCorners.push(isPlainObject(out) ? out : { value: out });
  });
  if (issues.length > before) return undefined;

  if (options.tryCreate && model.create !== undefined) {
    const create = model.create as (p: unknown) => unknown;
    for (const params of parsedCorners) {
      try {
        create(params);
      } catch (e) {
        // A factory rejecting its parameters is an input error; anything else is a bug and propagates.
        if (!(e instanceof GatesimError)) throw e;
        issues.push({
          path: [],
          message: `${family} \`${kind}\` rejects these parameters: ${e.message}`,
        });
        return undefined;
      }
    }
  }
  return { kind, raw, parsed: parsedCorners[0] ?? {} };
}
