import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkParams } from '../../../src/world/faults/shared/params.js';

const schema = z.strictObject({ share: z.number().min(0).max(1).default(0.5) });

describe('fault and confounder parameters', () => {
  it('checks parameters handed straight to a factory, naming the bad one', () => {
    expect(checkParams('x', schema, { share: 0.3 })).toEqual({ share: 0.3 });
    expect(() => checkParams('x', schema, { share: 2 })).toThrow(/^x: share: /);
  });
});
