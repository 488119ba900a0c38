import { describe, expect, it } from 'vitest';
import { readMetrics } from '../../../src/backtest/inputs.js';
import { convertPrometheus, renderMetricsCsv } from '../../../src/backtest/prometheus.js';
import { GatesimError } from '../../../src/errors.js';

/** The shape of a real `/api/v1/query_range` answer (Prometheus HTTP API docs). */
const RESPONSE = {
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      {
        metric: { __name__: 'error_rate', region: 'eu', instance: '10.0.0.1:9100', role: 'canary' },
        values: [
          [1704189600, '0.01'],
          [1704189660, 'NaN'],
        ],
      },
      {
        metric: {
          __name__: 'error_rate',
          region: 'eu',
          instance: '10.0.0.2:9100',
          role: 'baseline',
        },
        values: [[1704189600.5, '0.002']],
      },
    ],
  },
};

function errorOf(
  json: unknown,
  options: Parameters<typeof convertPrometheus>[1] = { file: 'q.json' },
): string {
  try {
    convertPrometheus(json, options);
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('convertPrometheus', () => {
  it('maps labels to region, group and role; NaN becomes a missing value', () => {
    const out = convertPrometheus(RESPONSE, { file: 'q.json' });
    expect(renderMetricsCsv(out)).toBe(
      'timestamp,region,group,role,metric,value\n' +
        '2024-01-02T10:00:00Z,eu,10.0.0.1:9100,canary,error_rate,0.01\n' +
        '2024-01-02T10:01:00Z,eu,10.0.0.1:9100,canary,error_rate,\n' +
        '2024-01-02T10:00:00.500Z,eu,10.0.0.2:9100,baseline,error_rate,0.002\n',
    );
  });

  it('writes what readMetrics reads back', async () => {
    const m = await readMetrics(
      [renderMetricsCsv(convertPrometheus(RESPONSE, { file: 'q.json' }))],
      'm.csv',
    );
    expect(m.series.map((s) => [s.group, s.side, s.value.length])).toEqual([
      ['10.0.0.1:9100', 'canary', 2],
      ['10.0.0.2:9100', 'baseline', 1],
    ]);
  });

  it('fills in from options where labels are absent, and uses version labels when there are no roles', () => {
    const bare = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { pod: 'web-1', version: 'v7' }, values: [[60, '120']] },
          { metric: { pod: 'web-2', version: 'v6' }, values: [[60, '118']] },
        ],
      },
    };
    const out = convertPrometheus(bare, { file: 'q.json', metric: 'latency_p99', region: 'us' });
    expect(out.sideColumn).toBe('version');
    expect(renderMetricsCsv(out).split('\n')[1]).toBe(
      '1970-01-01T00:01:00Z,us,web-1,v7,latency_p99,120',
    );
    expect(
      convertPrometheus(bare, {
        file: 'q.json',
        metric: 'latency_p99',
        region: 'us',
        role: 'canary',
      }).sideColumn,
    ).toBe('role');
  });

  it('reports bad shapes with their JSON path', () => {
    expect(
      errorOf({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
    ).toMatchInlineSnapshot(
      `"q.json: status: expected "success", got "error" (bad_data: parse error)"`,
    );
    expect(
      errorOf({ status: 'success', data: { resultType: 'vector', result: [] } }),
    ).toMatchInlineSnapshot(
      `"q.json: data.resultType: expected "matrix" (a range query), got "vector""`,
    );
    const withValue = (
      values: unknown,
      metric: Record<string, string> = { region: 'eu', role: 'canary' },
    ) => ({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric, values }] },
    });
    expect(
      errorOf(withValue([[1, 2]]), { file: 'q.json', metric: 'error_rate' }),
    ).toMatchInlineSnapshot(
      `"q.json: data.result[0].values[0][1]: expected the value as a string, got 2"`,
    );
    expect(
      errorOf(withValue([['x', '1']]), { file: 'q.json', metric: 'error_rate' }),
    ).toMatchInlineSnapshot(
      `"q.json: data.result[0].values[0][0]: expected a time in epoch seconds, got "x""`,
    );
    expect(
      errorOf(withValue([], { __name__: 'http_errors', region: 'eu', role: 'canary' })),
    ).toMatchInlineSnapshot(
      `"q.json: data.result[0].metric.__name__: "http_errors" is not a gatesim metric; pass --metric (one of error_rate, latency_p50, latency_p90, latency_p99, slow_rate, memory, connections, crash_count, conversion_rate, requests)"`,
    );
    expect(
      errorOf(withValue([], { role: 'canary' }), { file: 'q.json', metric: 'error_rate' }),
    ).toMatchInlineSnapshot(`"q.json: data.result[0].metric: no region label; pass --region"`);
    expect(
      errorOf(withValue([], { region: 'eu' }), { file: 'q.json', metric: 'error_rate' }),
    ).toMatchInlineSnapshot(
      `"q.json: data.result[0].metric: no role or version label; pass --role canary or --role baseline"`,
    );
    const twins = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { region: 'eu', role: 'canary', job: 'a' }, values: [] },
          { metric: { region: 'eu', role: 'canary', job: 'b' }, values: [] },
        ],
      },
    };
    expect(errorOf(twins, { file: 'q.json', metric: 'error_rate' })).toMatchInlineSnapshot(
      `"q.json: data.result[1]: maps to the same row key as data.result[0] (metric error_rate, region eu, group "", canary): give the series a distinguishing group label or query them separately"`,
    );
  });
});
