import { describe, expect, it } from 'vitest';
import { readDeploys, readIncidents, readMetrics } from '../../../src/backtest/inputs.js';
import { formatTime, toMinutes } from '../../../src/backtest/time.js';
import { GatesimError } from '../../../src/errors.js';

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  return 'no error';
}

const H = 'timestamp,region,group,role,metric,value,n,events';

describe('readMetrics', () => {
  it('reads rows into sorted series; events default to value × n for rates, n to 1', async () => {
    const m = await readMetrics(
      [
        `${H}\n` +
          '2024-01-02T10:02:00Z,eu,h1,canary,error_rate,0.01,200,\n' +
          '2024-01-02T10:01:00Z,eu,h1,canary,error_rate,0.02,100,2\n' +
          '1704189660,eu,h1,canary,latency_p99,250,,\n',
      ],
      'metrics.csv',
    );
    expect(m.sideColumn).toBe('role');
    expect(m.rows).toBe(3);
    const err = m.series.find((s) => s.metric === 'error_rate')!;
    expect(err.t.map(formatTime)).toEqual(['2024-01-02T10:01:00Z', '2024-01-02T10:02:00Z']);
    expect(err.events).toEqual([2, 2]);
    const lat = m.series.find((s) => s.metric === 'latency_p99')!;
    // Epoch seconds 1704189660 = 2024-01-02T10:01:00Z.
    expect([lat.t[0], lat.n[0], lat.events[0]]).toEqual([toMinutes('2024-01-02T10:01:00Z'), 1, 0]);
  });

  it('keeps only the rows the predicate accepts, but sees every region', async () => {
    const m = await readMetrics(
      [
        `${H}\n2024-01-02T10:01:00Z,eu,h1,canary,memory,500,1,\n2024-01-02T10:01:00Z,us,h2,baseline,error_rate,0.01,100,1\n`,
      ],
      'metrics.csv',
      (metric) => metric === 'error_rate',
    );
    expect([m.rows, m.kept, m.regions]).toEqual([2, 1, ['eu', 'us']]);
  });

  it('names the file, line and column of a bad value', async () => {
    const bad = (row: string, header = H) =>
      failure(readMetrics([`${header}\n${row}\n`], 'metrics.csv'));
    expect(
      await bad('2024-01-02T10:01:00Z,eu,h1,canary,error_rate,abc,100,1'),
    ).toMatchInlineSnapshot(`"metrics.csv:2:46: expected a number in column "value", got "abc""`);
    expect(
      await bad('2024-01-02T10:01:00Z,eu,h1,canary,error-rate,0.1,100,1'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:2:35: unknown metric "error-rate"; did you mean \`error_rate\`? (known: error_rate, latency_p50, latency_p90, latency_p99, slow_rate, memory, connections, crash_count, conversion_rate, requests)"`,
    );
    expect(
      await bad('2024-01-02T10:01:00Z,eu,h1,cannary,error_rate,0.1,100,1'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:2:28: expected canary or baseline in column "role", got "cannary""`,
    );
    expect(
      await bad('2024-13-02T10:01:00Z,eu,h1,canary,error_rate,0.1,100,1'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:2:1: expected an ISO 8601 time or epoch seconds in column "timestamp", got "2024-13-02T10:01:00Z""`,
    );
    expect(
      await bad('2024-01-02T10:01:00Z,eu,h1,canary,error_rate,0.1,100,200'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:2:54: expected at most n (100) in column "events", got "200""`,
    );
    expect(
      await bad('2024-01-02T10:01:00Z,eu,h1,canary,error_rate,1.5,100,'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:2:46: expected a rate between 0 and 1 for error_rate, got "1.5""`,
    );
    expect(
      await bad(
        'x,eu,h1,canary,v1,error_rate,0.1',
        'timestamp,region,group,role,version,metric,value',
      ),
    ).toMatchInlineSnapshot(
      `"metrics.csv:1:1: the header needs exactly one of the columns "role" (canary or baseline) and "version""`,
    );
    expect(
      await bad('1,eu,h1,canary,error_rate,0.1', 'timestamp,region,grup,role,metric,value'),
    ).toMatchInlineSnapshot(
      `"metrics.csv:1:18: unknown column "grup"; did you mean \`group\`? (known: timestamp, region, group, role, version, metric, value, n, events)"`,
    );
  });

  it('streams: keeps only what the predicate asks for, however many rows go past', async () => {
    // 600,000 rows (about 40 MB) from a generator; only the first hour is near a deploy.
    const first = toMinutes('2024-01-02T00:00:00Z')!;
    let produced = 0;
    function* source(): Generator<string> {
      yield `${H}\n`;
      for (let block = 0; block < 2000; block++) {
        let text = '';
        for (let i = 0; i < 300; i++) {
          const minute = block * 300 + i;
          text += `${1704153600 + minute * 60},eu,h1,canary,error_rate,0.01,100,1\n`;
        }
        produced++;
        yield text;
      }
    }
    const m = await readMetrics(source(), 'big.csv', (_metric, t) => t < first + 60);
    expect(produced).toBe(2000);
    expect([m.rows, m.kept, m.series[0]!.t.length]).toEqual([600_000, 60, 60]);
  });

  it('rejects two rows for one series at one time', async () => {
    const row = '2024-01-02T10:01:00Z,eu,h1,canary,error_rate,0.01,100,1';
    expect(
      await failure(readMetrics([`${H}\n${row}\n${row}\n`], 'metrics.csv')),
    ).toMatchInlineSnapshot(
      `"metrics.csv:3:1: two rows for error_rate of group "h1" in region eu (canary) at the same time (lines 2 and 3)"`,
    );
    // Rows out of order still name both lines, as written.
    const earlier = '2024-01-02T10:00:00Z,eu,h1,canary,error_rate,0.01,100,1';
    expect(
      await failure(readMetrics([`${H}\n${row}\n${earlier}\n${row}\n`], 'metrics.csv')),
    ).toContain(
      'metrics.csv:4:1: two rows for error_rate of group "h1" in region eu (canary) at the same time (lines 2 and 4)',
    );
  });
});

describe('readDeploys', () => {
  it('reads one row per deploy or per group, sorted by start, groups by time', async () => {
    const deploys = await readDeploys(
      [
        'deploy,start,version,region,group,deployed_at\n' +
          'b,2024-01-03T10:00:00Z,v3,,,\n' +
          'a,2024-01-02T10:00:00Z,v2,eu,h2,2024-01-02T10:30:00Z\n' +
          'a,,,eu,h1,2024-01-02T10:10:00Z\n',
      ],
      'deploys.csv',
    );
    expect(deploys.map((d) => d.id)).toEqual(['a', 'b']);
    expect(deploys[0]!.groups.map((g) => g.group)).toEqual(['h1', 'h2']);
    expect(deploys[1]!.groups).toEqual([]);
  });

  it('names inconsistent rows', async () => {
    const bad = (body: string) =>
      failure(
        readDeploys([`deploy,start,version,region,group,deployed_at\n${body}`], 'deploys.csv'),
      );
    expect(await bad('a,2024-01-02T10:00:00Z,v2,,,\na,,v3,,,\n')).toMatchInlineSnapshot(
      `"deploys.csv:3:4: deploy a already has version "v2" (line 2)"`,
    );
    expect(
      await bad('a,2024-01-02T10:00:00Z,v2,eu,h1,2024-01-02T09:00:00Z\n'),
    ).toMatchInlineSnapshot(
      `"deploys.csv:2:33: group "h1" took the new version before the deploy started"`,
    );
    expect(await bad('a,2024-01-02T10:00:00Z,v2,eu,,2024-01-02T11:00:00Z\n')).toMatchInlineSnapshot(
      `"deploys.csv:2:30: a row with a region or deployed_at needs a group"`,
    );
    expect(await bad('')).toMatchInlineSnapshot(
      `"deploys.csv: no deploys (the file has only a header)"`,
    );
  });
});

describe('readIncidents', () => {
  it('reads deploy ids and ignores other columns', async () => {
    const ids = await readIncidents(
      ['severity,deploy,summary\nSEV2,a,"checkout errors, 40 min"\n'],
      'incidents.csv',
      new Set(['a', 'b']),
    );
    expect([...ids]).toEqual(['a']);
  });

  it('rejects an id that is not a deploy', async () => {
    expect(
      await failure(
        readIncidents(
          ['deploy\ndeploy-17\n'],
          'incidents.csv',
          new Set(['deploy-12', 'deploy-71']),
        ),
      ),
    ).toMatchInlineSnapshot(
      `"incidents.csv:2:1: no deploy "deploy-17" in the deploys file; did you mean \`deploy-12\`?"`,
    );
  });
});
