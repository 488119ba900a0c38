import { describe, expect, it } from 'vitest';
import { wantsSingleThreadedV8 } from '../../../src/cli/v8-threads.js';

describe('wantsSingleThreadedV8', () => {
  it('turns V8 background threads off only when the pool fills every core', () => {
    expect(wantsSingleThreadedV8(2, 2, [], {})).toBe(true);
    expect(wantsSingleThreadedV8(8, 4, [], {})).toBe(true);
    // A core to spare: V8's compiler and collector use it for free.
    expect(wantsSingleThreadedV8(2, 4, [], {})).toBe(false);
    // One worker runs in the main thread; there is no pool to compete with.
    expect(wantsSingleThreadedV8(1, 1, [], {})).toBe(false);
  });

  it('never restarts twice, and can be switched off', () => {
    expect(wantsSingleThreadedV8(2, 2, ['--single-threaded'], {})).toBe(false);
    expect(wantsSingleThreadedV8(2, 2, [], { GATESIM_KEEP_V8_THREADS: '1' })).toBe(false);
  });
});
