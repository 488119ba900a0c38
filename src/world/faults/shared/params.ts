import { z } from 'zod';
import { GatesimError } from '../../../errors.js';
import { boundedDuration, durationSchema } from '../../../util/duration.js';
import { MIN_RESTART_MINUTES } from '../../../util/limits.js';
import { isOutputOf } from '../../../util/parse-once.js';

/** A probability or a share of requests, hosts or users: a number in [0, 1]. */
export const shareSchema = z.number().min(0).max(1);

/** A duration that must be longer than zero (a restart always takes some time). */
export const positiveDurationSchema = durationSchema.refine((v) => v > 0, {
  message: 'expected a duration > 0',
});

/** How long a fault's restart takes: at least MIN_RESTART_MINUTES, so restarts stay countable. */
export const restartDurationSchema = boundedDuration({ min: MIN_RESTART_MINUTES });

/**
 * Validates parameters handed straight to a factory (tests, benchmarks, importers) with
 * the same schema the loader uses, so a bad value names its parameter wherever it comes from.
 */
export function checkParams<P>(kind: string, schema: z.ZodType<P>, params: unknown): P {
  // A schema's own output (the loader's or a trial's parse) needs no second look.
  if (isOutputOf(schema, params)) return params as P;
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
