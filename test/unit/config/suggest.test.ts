import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../../src/config/index.js';

describe('editDistance', () => {
  // Textbook Levenshtein values (kitten → sitting is the classic example: 3 edits).
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
    // Adjacent transpositions count once (optimal string alignment).
    ['fial', 'fail', 1],
    ['ca', 'ac', 1],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const metrics = ['error_rate', 'latency_p99', 'memory', 'conversion_rate'];
  it('matches across case and separators', () => {
    expect(closest('error-rate', metrics)).toBe('error_rate');
    expect(closest('errorRate', metrics)).toBe('error_rate');
  });
  it('suggests near misses', () => {
    expect(closest('memroy', metrics)).toBe('memory');
    expect(closest('failureLimt', ['failureLimit', 'inconclusiveLimit'])).toBe('failureLimit');
  });
  it('suggests by prefix', () => {
    expect(closest('monday', ['mon', 'tue'])).toBe('mon');
  });
  it('stays quiet when nothing is close', () => {
    expect(closest('banana', metrics)).toBeUndefined();
    expect(closest('', metrics)).toBeUndefined();
    expect(didYouMean('zzz', metrics)).toBe('');
  });
  it('formats the hint', () => {
    expect(didYouMean('fial', ['pass', 'fail'])).toBe('; did you mean `fail`?');
  });
});
