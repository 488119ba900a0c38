/**
 * Zod glue: fields whose shape depends on a `kind` (targets, delays, plugin specs), validated
 * by hand so an unknown kind gets the list of known ones and a "did you mean".
 */
import { z } from 'zod';
import type { RawIssue } from './issues.js';
import { expectMessage, flattenIssues, PARSE_OPTIONS, showValue } from './issues.js';
import type { PluginSpecOptions, PluginSpecResult } from './plugin-spec.js';
import { isPlainObject, parsePluginSpec } from './plugin-spec.js';
import { didYouMean, listNames } from './suggest.js';

/** Re-raises issues found by a nested validation inside a transform. */
export function addIssues(ctx: z.RefinementCtx, issues: readonly RawIssue[]): void {
  for (const i of issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
}

/**
 * A mapping whose `kind` selects one of several schemas. Each branch's schema sees the whole
 * mapping (including `kind`) and builds the typed value.
 */
export function kindUnion<M extends Record<string, z.ZodType>>(what: string, branches: M) {
  const kinds = Object.keys(branches);
  return z.unknown().transform((v, ctx): z.output<M[keyof M]> => {
    if (!isPlainObject(v)) {
      ctx.addIssue({
        code: 'custom',
        message: expectMessage(`a ${what} mapping with \`kind\`: ${listNames(kinds)}`, v),
      });
      return z.NEVER;
    }
    const kind = v.kind;
    if (typeof kind !== 'string' || !Object.hasOwn(branches, kind)) {
      const hint = typeof kind === 'string' ? didYouMean(kind, kinds) : '';
      const message =
        kind === undefined
          ? `required: expected a ${what} kind: ${listNames(kinds)}`
          : `unknown ${what} kind ${showValue(kind)}${hint} (known kinds: ${listNames(kinds)})`;
      ctx.addIssue({ code: 'custom', path: ['kind'], message });
      return z.NEVER;
    }
    const result = branches[kind]!.safeParse(v, PARSE_OPTIONS);
    if (!result.success) {
      addIssues(ctx, flattenIssues(result.error.issues));
      return z.NEVER;
    }
    return result.data as z.output<M[keyof M]>;
  });
}

/** A `{ kind, ...params }` plugin spec checked against a registry read at parse time. */
export function pluginSpecField(options: () => PluginSpecOptions) {
  return z.unknown().transform((v, ctx): PluginSpecResult => {
    const issues: RawIssue[] = [];
    const result = parsePluginSpec(v, options(), issues);
    addIssues(ctx, issues);
    return result ?? z.NEVER;
  });
}
