import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatPercentTick,
  formatPp,
  formatPValue,
  formatQuantiles,
  formatRateInterval,
  formatTimeTick,
  formatRateCompact,
  formatPShort,
} from '../../../src/report/format.js';

describe('formatPercent', () => {
  it('shows rates as percent with one decimal', () => {
    expect(formatPercent(0.0213)).toBe('2.1%');
    expect(formatPercent(0.12)).toBe('12.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
  });
  it('keeps tiny non-zero rates and near-certain rates distinguishable from 0% and 100%', () => {
    expect(formatPercent(0.0001)).toBe('<0.1%');
    expect(formatPercent(0.99999)).toBe('>99.9%');
  });
  it('shows no value for NaN', () => {
    expect(formatPercent(Number.NaN)).toBe('–');
  });
});

describe('formatRateInterval', () => {
  it('puts the interval in brackets with one % sign', () => {
    expect(formatRateInterval({ count: 9, of: 300, rate: 0.03, lo: 0.01586, hi: 0.05602 })).toBe(
      '3.0% (1.6–5.6%)',
    );
  });
  it('shows no value when there is no denominator', () => {
    expect(formatRateInterval({ count: 0, of: 0, rate: 0, lo: 0, hi: 0 })).toBe('–');
  });
});

describe('formatPValue', () => {
  it('uses three significant digits without trailing zeros', () => {
    expect(formatPValue(0.002)).toBe('0.002');
    expect(formatPValue(0.0213456)).toBe('0.0213');
    expect(formatPValue(0.68749999999999989)).toBe('0.687');
    expect(formatPValue(0.5)).toBe('0.5');
    expect(formatPValue(1)).toBe('1');
  });
  it('switches to exponent form below 0.001', () => {
    expect(formatPValue(4.628673195838934e-7)).toBe('4.63e-7');
    expect(formatPValue(1.52587890625e-5)).toBe('1.53e-5');
    expect(formatPValue(1e-5)).toBe('1e-5');
    expect(formatPValue(0)).toBe('0');
  });
});

describe('formatMinutes', () => {
  it('picks a unit people read easily', () => {
    expect(formatMinutes(0.75)).toBe('45 s');
    expect(formatMinutes(7.5)).toBe('7.5 min');
    expect(formatMinutes(7)).toBe('7 min');
    expect(formatMinutes(42.4)).toBe('42 min');
    expect(formatMinutes(141)).toBe('2.4 h');
    expect(formatMinutes(180)).toBe('3 h');
    expect(formatMinutes(3024)).toBe('2.1 d');
    expect(formatMinutes(Number.NaN)).toBe('–');
  });
  it('quantile pairs say – when the distribution is empty', () => {
    expect(formatQuantiles({ n: 0, mean: Number.NaN, p50: Number.NaN, p90: Number.NaN })).toBe('–');
    expect(formatQuantiles({ n: 3, mean: 20, p50: 14, p90: 52 })).toBe('14 min / 52 min');
  });
});

describe('formatCount', () => {
  it('groups small counts and abbreviates large ones', () => {
    expect(formatCount(4115.22)).toBe('4,115');
    expect(formatCount(7.8166)).toBe('7.8');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(140_700)).toBe('141k');
    expect(formatCount(1_234_567)).toBe('1.23M');
    expect(formatCount(4.2e9)).toBe('4.20B');
    expect(formatCount(0)).toBe('0');
  });
});

describe('small formats', () => {
  it('formats percentage-point differences with a real minus sign', () => {
    expect(formatPp(-0.09)).toBe('−9.0 pp');
    expect(formatPp(0.02)).toBe('+2.0 pp');
  });
  it('formats ticks', () => {
    expect(formatNumber(0.30000000000000004)).toBe('0.3');
    expect(formatNumber(-0.0001)).toBe('0');
    expect(formatPercentTick(0.4)).toBe('40%');
    expect(formatPercentTick(0.025)).toBe('2.5%');
    expect(formatTimeTick(0)).toBe('0');
    expect(formatTimeTick(30)).toBe('30m');
    expect(formatTimeTick(90)).toBe('1h30m');
    expect(formatTimeTick(120)).toBe('2h');
    expect(formatTimeTick(2880)).toBe('2d');
    expect(formatTimeTick(0.5)).toBe('30s');
  });
});

describe('formatRateCompact', () => {
  it('shows the rate and a short interval without repeating the % sign', () => {
    const r = { count: 168, of: 199, rate: 168 / 199, lo: 0.7871, hi: 0.8878 };
    expect(formatRateCompact(r)).toBe('84.4% 79–89');
    expect(formatRateCompact({ count: 1, of: 401, rate: 1 / 401, lo: 0.00044, hi: 0.01399 })).toBe(
      '0.2% <0.1–1.4',
    );
    expect(formatRateCompact({ count: 0, of: 600, rate: 0, lo: 0, hi: 0.00635 })).toBe(
      '0.0% 0.0–0.6',
    );
    expect(formatRateCompact({ count: 600, of: 600, rate: 1, lo: 0.99365, hi: 1 })).toBe(
      '100.0% 99–100',
    );
    expect(
      formatRateCompact({ count: 599, of: 600, rate: 599 / 600, lo: 0.9906, hi: 0.9997 }),
    ).toBe('99.8% 99–>99.9');
    expect(formatRateCompact({ count: 90, of: 100, rate: 0.9, lo: 0.8256, hi: 0.9966 })).toBe(
      '90.0% 83–99.7',
    );
  });
  it('shows no value without a denominator', () => {
    expect(formatRateCompact({ count: 0, of: 0, rate: 0, lo: 0, hi: 1 })).toBe('–');
  });
});

describe('formatPShort', () => {
  it('keeps three digits down to 0.001 and stops there', () => {
    expect(formatPShort(0.0313)).toBe('p = 0.0313');
    expect(formatPShort(0.001)).toBe('p = 0.001');
    expect(formatPShort(4.82e-181)).toBe('p < 0.001');
    expect(formatPShort(1)).toBe('p = 1');
  });
});
