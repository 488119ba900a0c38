import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import type { MetricSource } from '../../../src/import/metric-map.js';
import {
  convertRange,
  decideMetric,
  parseMapRules,
  promRange,
} from '../../../src/import/metric-map.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

const src = (
  text: string,
  lo = -Infinity,
  hi = Infinity,
  names: string[] = ['m'],
): MetricSource => ({
  names,
  text,
  range: { lo, hi },
});

describe('parseMapRules', () => {
  it('reads NAME=METRIC and NAME=METRIC:UNIT', () => {
    expect(
      parseMapRules(['success-rate=error_rate', 'p99=latency_p99:seconds', 'cpu=none']),
    ).toEqual([
      {
        name: 'success-rate',
        metric: 'error_rate',
        unit: undefined,
        spec: 'success-rate=error_rate',
      },
      { name: 'p99', metric: 'latency_p99', unit: 'seconds', spec: 'p99=latency_p99:seconds' },
      { name: 'cpu', metric: 'none', unit: undefined, spec: 'cpu=none' },
    ]);
  });

  it('says what it accepts', () => {
    expect(message(() => parseMapRules(['success-rate']))).toMatchInlineSnapshot(
      `"--map "success-rate": expected NAME=METRIC or NAME=METRIC:UNIT"`,
    );
    expect(message(() => parseMapRules(['x=cpu']))).toMatchInlineSnapshot(
      `"--map "x=cpu": unknown metric "cpu" (known: error_rate, latency_p50, latency_p90, latency_p99, slow_rate, memory, connections, crash_count, conversion_rate, requests, or none to drop it)"`,
    );
    expect(message(() => parseMapRules(['x=latency_p99:percent']))).toMatchInlineSnapshot(
      `"--map "x=latency_p99:percent": unit "percent" does not fit latency_p99 (use ms, seconds)"`,
    );
  });
});

describe('decideMetric heuristic', () => {
  const metric = (s: MetricSource): string | undefined => {
    const d = decideMetric(s, []);
    return d?.kind === 'mapped' ? `${d.metric}:${d.unit}` : undefined;
  };

  it('maps success, 5xx and error queries to error_rate, choosing the orientation from the bound', () => {
    // successCondition result[0] >= 0.95 on a success ratio.
    expect(
      metric(
        src(
          'sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
          0.95,
        ),
      ),
    ).toBe('error_rate:success');
    // an error ratio with an upper bound
    expect(
      metric(
        src(
          'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
          -Infinity,
          0.01,
        ),
      ),
    ).toBe('error_rate:ratio');
    // percentages: a bound above 1
    expect(metric(src('request-success-rate', 99))).toBe('error_rate:success-percent');
    expect(metric(src('error percentage', -Infinity, 1.5))).toBe('error_rate:percent');
  });

  it('maps latency queries to the percentile they ask for, in milliseconds', () => {
    expect(
      metric(
        src(
          'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
          -Infinity,
          0.5,
        ),
      ),
    ).toBe('latency_p99:seconds');
    expect(
      metric(src('histogram_quantile(0.5, rate(latency_ms_bucket[1m]))', -Infinity, 200)),
    ).toBe('latency_p50:ms');
    expect(metric(src('p90 response time', -Infinity, 300))).toBe('latency_p90:ms');
  });

  it('maps memory, restarts, conversion and connection queries', () => {
    expect(metric(src('container_memory_working_set_bytes', -Infinity, 1e9))).toBe('memory:bytes');
    expect(metric(src('kube_pod_container_status_restarts_total', -Infinity, 0))).toBe(
      'crash_count:count',
    );
    expect(metric(src('checkout conversion', 0.02))).toBe('conversion_rate:ratio');
    expect(metric(src('db_pool_connections_in_use', -Infinity, 80))).toBe('connections:count');
    expect(metric(src('sum(rate(http_requests_total[1m]))', 10))).toBe('requests:count');
  });

  it('finds nothing for CPU', () => {
    expect(
      decideMetric(src('container_cpu_usage_seconds_total', -Infinity, 0.8), []),
    ).toBeUndefined();
  });

  it('an explicit --map wins, by any of the names', () => {
    const d = decideMetric(
      src('container_cpu_usage_seconds_total', -Infinity, 0.8, ['cpu', 'tmpl/cpu']),
      parseMapRules(['tmpl/cpu=none']),
    );
    expect(d?.kind).toBe('dropped');
    const e = decideMetric(
      src('whatever', 0.95, Infinity, ['ok']),
      parseMapRules(['ok=error_rate']),
    );
    expect(e).toMatchObject({ kind: 'mapped', metric: 'error_rate', unit: 'success' });
  });
});

describe('convertRange', () => {
  it('inverts a success rate into an error-rate maximum (success ≥ 0.95 → error_rate ≤ 0.05)', () => {
    expect(convertRange({ lo: 0.95, hi: Infinity }, 'success')).toEqual({ max: 0.05 });
    expect(convertRange({ lo: 99, hi: Infinity }, 'success-percent')).toEqual({ max: 0.01 });
    expect(convertRange({ lo: 0.9, hi: 0.99 }, 'success')).toEqual({ min: 0.01, max: 0.1 });
  });

  it('scales seconds, percent and bytes', () => {
    expect(convertRange({ lo: -Infinity, hi: 0.5 }, 'seconds')).toEqual({ max: 500 });
    expect(convertRange({ lo: -Infinity, hi: 1.5 }, 'percent')).toEqual({ max: 0.015 });
    expect(convertRange({ lo: -Infinity, hi: 1073741824 }, 'bytes')).toEqual({ max: 1024 });
  });
});

describe('promRange', () => {
  it('reads one distinct range selector', () => {
    expect(promRange('sum(rate(a[5m])) / sum(rate(b[5m]))')).toBe(5);
    expect(promRange('rate(a[30s])')).toBe(0.5);
    expect(promRange('max_over_time(rate(a[1m])[10m:1m])')).toBeUndefined();
    expect(promRange('up')).toBeUndefined();
  });
});
