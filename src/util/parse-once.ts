import type { z } from 'zod';

/**
 * Parsing configuration objects with a zod schema once. Loaded configs are never changed
 * after loading, yet a simulation asks for the same parse in every trial (a check's judge
 * parameters, a fault's fixed parameters) and factories check again what a schema has just
 * produced (a hundred confounder occurrences per trial from one spec). Inputs are remembered
 * by identity with the schema that parsed them, and outputs with the schema that made them.
 */
const PARSES = new WeakMap<object, { schema: z.ZodType; result: z.ZodSafeParseResult<unknown> }>();
const OUTPUTS = new WeakMap<object, z.ZodType>();

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** `schema.safeParse(input)`, computed once per input object and schema. */
export function safeParseOnce<P>(schema: z.ZodType<P>, input: unknown): z.ZodSafeParseResult<P> {
  const known = isObject(input) ? PARSES.get(input) : undefined;
  if (known !== undefined && known.schema === schema)
    return known.result as z.ZodSafeParseResult<P>;
  const result = schema.safeParse(input);
  if (result.success && isObject(result.data)) OUTPUTS.set(result.data, schema);
  if (isObject(input)) PARSES.set(input, { schema, result });
  return result;
}

/** `schema.parse(input)` (throwing its ZodError), computed once per input object and schema. */
export function parseOnce<P>(schema: z.ZodType<P>, input: unknown): P {
  const result = safeParseOnce(schema, input);
  if (!result.success) throw result.error;
  return result.data;
}

/** Whether `value` is an output of `schema`'s parse, so checking it again would find nothing. */
export function isOutputOf(schema: z.ZodType, value: unknown): boolean {
  return isObject(value) && OUTPUTS.get(value) === schema;
}
