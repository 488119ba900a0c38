import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkParams } from '../../../src/world/faults/shared/params.js';
import { parseOnce, safeParseOnce } from '../../../src/util/parse-once.js';

const schema = z.strictObject({ share: z.number().min(0).max(1).default(0.5) });
const other = z.strictObject({ share: z.number().min(0).max(0.1).default(0.05) });

describe('fault and confounder parameters', () => {
  it('checks parameters handed straight to a factory, naming the bad one', () => {
    expect(checkParams('x', schema, { share: 0.3 })).toEqual({ share: 0.3 });
    expect(() => checkParams('x', schema, { share: 2 })).toThrow(/^x: share: /);
  });

  it("trusts a schema's own parse output without checking it again, but only for that schema", () => {
    const parsed = parseOnce(schema, {});
    expect(checkParams('x', schema, parsed)).toBe(parsed);
    // The same object is not valid for a stricter schema: that one still checks it.
    expect(() => checkParams('y', other, parsed)).toThrow(/^y: share: /);
  });

  it('parses an input object once per schema, and reports a failure the same way each time', () => {
    const input = { share: 0.25 };
    const first = parseOnce(schema, input);
    expect(parseOnce(schema, input)).toBe(first);
    // Another schema parses the same input afresh, with its own defaults and bounds.
    expect(() => parseOnce(other, input)).toThrow();
    const bad = { share: 3 };
    const a = safeParseOnce(schema, bad);
    const b = safeParseOnce(schema, bad);
    expect(a.success).toBe(false);
    expect(b).toBe(a);
  });
});
