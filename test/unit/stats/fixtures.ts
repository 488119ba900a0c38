import { readFileSync } from 'node:fs';

/** Reads a JSON fixture from test/fixtures/stats (produced by the scripts beside it). */
export function readStatsFixture<T>(name: string): T {
  const url = new URL(`../../fixtures/stats/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export interface WilcoxRun {
  alternative: 'two-sided' | 'less' | 'greater';
  confLevel: number;
  W: number;
  pValue: number;
  ciLow: number | null;
  ciHigh: number | null;
  estimate: number;
}

export interface WilcoxFixture {
  source: string;
  cases: { name: string; x: number[]; y: number[]; r: WilcoxRun[] }[];
}

export interface ScipyFixture {
  source: string;
  mannWhitney: {
    name: string;
    scipy: { alternative: 'two-sided' | 'less' | 'greater'; u: number; pValue: number }[];
    hodgesLehmann: number;
  }[];
  binomTails: {
    n: number;
    p: number;
    k: number;
    pmf: number;
    cdf: number;
    atLeast: number;
    logcdf: number;
    logAtLeast: number;
  }[];
  mcnemar: { b: number; c: number; pValue: number }[];
  wilson: { successes: number; trials: number; confidence: number; lo: number; hi: number }[];
  quantiles: { data: number[]; probs: number[]; numpyLinear: number[] };
}

/** Relative closeness with an absolute floor, for comparing to reference values. */
export function close(actual: number, expected: number, rel: number, abs = 0): boolean {
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}
