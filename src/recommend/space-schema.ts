/**
 * The space file's shape, checked with the same field helpers as scenarios and policies:
 * unknown keys are errors with a "did you mean", every message says what was expected.
 * What spans fields (names, references, paths that select nothing) is checked in space.ts.
 */
import { z } from 'zod';
import { list, name, strictObject, text } from '../config/fields.js';
import { expectMessage } from '../config/issues.js';
import { parseDuration } from '../util/duration.js';

/** A value of a number dimension: a number, or a duration such as `30m`. */
const numberValue = z.unknown().superRefine((v, ctx) => {
  if (typeof v === 'number' && Number.isFinite(v)) return;
  if (typeof v === 'string' && parseDuration(v) !== undefined) return;
  ctx.addIssue({
    code: 'custom',
    message: expectMessage('a number or a duration such as 30m', v),
  });
});

/** `PATH: VALUE` pairs; the paths are parsed later, so their errors can name the key. */
const pathMap = z.record(z.string(), z.unknown(), {
  error: (iss) => expectMessage('a mapping from path to value', iss.input),
});

/** One path or a list of paths. */
const pathList = z.union([z.string(), z.array(z.string())], {
  error: (iss) => expectMessage('a path or a list of paths', iss.input),
});

/** Names of alternatives, one or a list. */
const altNames = z.union([name(), z.array(name()).min(1)], {
  error: (iss) => expectMessage('an alternative name or a list of them', iss.input),
});

const whenSchema = z.record(name(), altNames, {
  error: (iss) => expectMessage('a mapping from dimension name to alternative names', iss.input),
});

/** The operations a patch may carry, applied in this order: remove, set, append, order. */
const opFields = {
  remove: pathList.optional(),
  set: pathMap.optional(),
  append: pathMap.optional(),
  order: z
    .record(z.string(), z.array(name()), {
      error: (iss) => expectMessage('a mapping from path to a list of item names', iss.input),
    })
    .optional(),
};

const numberSchema = strictObject({
  about: text().default(''),
  values: list(numberValue, 'numbers or durations').min(1, {
    error: 'expected at least one value',
  }),
  default: numberValue.optional(),
});

const alternativeSchema = strictObject({
  name: name(),
  about: text().default(''),
  numbers: z
    .record(name(), numberSchema, {
      error: (iss) => expectMessage('a mapping from number name to its values', iss.input),
    })
    .default({}),
  ...opFields,
});

const dimensionSchema = strictObject({
  name: name(),
  about: text().default(''),
  when: whenSchema.default({}),
  default: z.unknown().optional(),
  choose: list(alternativeSchema, 'alternatives')
    .min(1, { error: 'expected at least one alternative' })
    .optional(),
  values: list(numberValue, 'numbers or durations')
    .min(1, { error: 'expected at least one value' })
    .optional(),
  ...opFields,
}).superRefine((d, ctx) => {
  if ((d.choose === undefined) === (d.values === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message:
        d.choose === undefined
          ? 'expected `choose` (alternatives) or `values` (numbers)'
          : 'expected `choose` or `values`, not both',
    });
  }
  if (d.choose !== undefined) {
    for (const k of ['remove', 'set', 'append', 'order'] as const) {
      if (d[k] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `a dimension with \`choose\` patches through its alternatives; move \`${k}\` into them`,
        });
    }
  }
});

/** The space file as written. */
export const spaceFileSchema = strictObject({
  description: text().default(''),
  fromPolicies: list(z.string(), 'policy keys').default([]),
  skeleton: z.union([z.string(), z.record(z.string(), z.unknown())], {
    error: (iss) => expectMessage('a policy mapping, or the path of a policy file', iss.input),
  }),
  dimensions: list(dimensionSchema, 'dimensions'),
});

export type SpaceFile = z.output<typeof spaceFileSchema>;
export type DimensionFile = SpaceFile['dimensions'][number];
export type AlternativeFile = NonNullable<DimensionFile['choose']>[number];
export type OpFields = Pick<AlternativeFile, 'remove' | 'set' | 'append' | 'order'>;
