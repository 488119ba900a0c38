import { z } from 'zod';
import { GatesimError } from '../../../errors.js';
import { durationSchema } from '../../../util/duration.js';

/** A probability or a share of requests, hosts or users: a number in [0, 1]. */
export const shareSchema = z.number().min(0).max(1);

/** A duration that must be longer than zero (a restart always takes some time). */
export const positiveDurationSchema = durationSchema.refine((v) => v > 0, {
  message: 'expected a duration > 0',
});

/**
 * Parameter objects that are a schema's own output, by schema: checking them again would
 * find nothing new, and a trial creates a hundred confounder occurrences from one spec.
 */
const PARSED = new WeakMap<object, unknown>();

/** Parses parameters with a schema, remembering the result as valid for checkParams. */
export function parseParams<P>(schema: z.ZodType<P>, raw: unknown): P {
  const parsed = schema.parse(raw);
  if (typeof parsed === 'object' && parsed !== null) PARSED.set(parsed, schema);
  return parsed;
}

/**
 * Validates parameters handed straight to a factory (tests, benchmarks, importers) with
 * the same schema the loader uses, so a bad value names its parameter wherever it comes from.
 */
export function checkParams<P>(kind: string, schema: z.ZodType<P>, params: unknown): P {
  if (typeof params === 'object' && params !== null && PARSED.get(params) === schema)
    return params as P;
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path =
    issue === undefined || issue.path.length === 0 ? '(params)' : issue.path.map(String).join('.');
  throw new GatesimError(
    'invalid-params',
    `${kind}: ${path}: ${issue?.message ?? 'invalid parameters'}`,
  );
}
