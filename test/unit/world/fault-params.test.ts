import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkParams, parseParams } from '../../../src/world/faults/shared/params.js';

const schema = z.strictObject({ share: z.number().min(0).max(1).default(0.5) });
const other = z.strictObject({ share: z.number().min(0).max(0.1).default(0.05) });

describe('fault and confounder parameters', () => {
  it('checks parameters handed straight to a factory, naming the bad one', () => {
    expect(checkParams('x', schema, { share: 0.3 })).toEqual({ share: 0.3 });
    expect(() => checkParams('x', schema, { share: 2 })).toThrow(/^x: share: /);
  });

  it("trusts a schema's own parse output without checking it again, but only for that schema", () => {
    const parsed = parseParams(schema, {});
    expect(checkParams('x', schema, parsed)).toBe(parsed);
    // The same object is not valid for a stricter schema: that one still checks it.
    expect(() => checkParams('y', other, parsed)).toThrow(/^y: share: /);
  });
});
