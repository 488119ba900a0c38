import { z } from 'zod';
import { GatesimError } from '../../../errors.js';
import { boundedDuration, durationSchema } from '../../../util/duration.js';
import { MIN_RESTART_MINUTES } from '../../../util/limits.js';

/** A probability or a share of requests, hosts or users: a number in [0, 1]. */
export const shareSchema = z.number().min(0).max(1);

/** A duration that must be longer than zero (a restart always takes some time). */
export const positiveDurationSchema = durationSchema.refine((v) => v > 0, {
  message: 'expected a duration > 0',
});

/** How long a fault's restart takes: at least MIN_RESTART_MINUTES, so restarts stay countable. */
export const restartDurationSchema = boundedDuration({ min: MIN_RESTART_MINUTES });

/**
 * Validates a plugin's parameters with the schema the loader uses, so a bad value names its
 * parameter wherever it comes from: factories call it on what they are handed, a scenario
 * binding on a spec's fixed parameters (once, for every trial).
 */
export function checkParams<P>(
  kind: string,
  schema: z.ZodType<P>,
  params: unknown,
  field?: string,
): P {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // `field`: the schema is that one parameter's (a ranged value drawn for one occurrence).
  const inner = issue === undefined ? [] : issue.path.map(String);
  const parts = field === undefined ? inner : [field, ...inner];
  const path = parts.length === 0 ? '(params)' : parts.join('.');
  throw new GatesimError(
    'invalid-params',
    `${kind}: ${path}: ${issue?.message ?? 'invalid parameters'}`,
  );
}
