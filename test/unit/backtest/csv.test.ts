import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, csvRecords, tableRows } from '../../../src/backtest/csv.js';
import { GatesimError } from '../../../src/errors.js';
import { MAX_CSV_RECORD_CHARS } from '../../../src/util/limits.js';
import { parseCsv } from '../report/csv-parse.js';

function tokenize(text: string, cuts: readonly number[] = []): string[][] {
  const t = new CsvTokenizer('x.csv');
  const out: string[][] = [];
  let at = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...t.push(text.slice(at, c)).map((r) => r.fields));
    at = c;
  }
  out.push(...t.end().map((r) => r.fields));
  return out;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  return 'no error';
}

/** RFC 4180 writing, independent of the reader under test. */
function writeCsv(rows: readonly string[][], eol: string): string {
  return rows
    .map((r) =>
      r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(','),
    )
    .join(eol);
}

describe('CsvTokenizer', () => {
  it('reads quoted fields, doubled quotes, embedded commas and newlines, CRLF and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x,1","say ""hi""","two\r\nlines"\r\n\r\nlast,,\n';
    expect(tokenize(text)).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\r\nlines'],
      ['last', '', ''],
    ]);
  });

  it('gives each record its starting line and each field its column', () => {
    const t = new CsvTokenizer('x.csv');
    const recs = [...t.push('h1,h2\n"a\nb",cc\nd,"e"\n'), ...t.end()];
    expect(recs.map((r) => [r.line, r.columns])).toEqual([
      [1, [1, 4]],
      [2, [1, 4]],
      [4, [1, 3]],
    ]);
  });

  it('gives the same records however the text is cut into chunks (against an independent reader)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é') });
    const rows = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        rows,
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (data, eol, rawCuts) => {
          // Blank records are skipped by design; keep rows that are not one empty field.
          fc.pre(data.every((r) => !(r.length === 1 && r[0] === '')));
          const text = writeCsv(data, eol);
          const cuts = rawCuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b);
          expect(tokenize(text, cuts)).toEqual(data);
          expect(tokenize(text)).toEqual(parseCsv(text));
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  it('reports malformed quoting at its line and column', () => {
    expect(errorOf(() => tokenize('a,b\nx,y"z\n'))).toMatchInlineSnapshot(
      `"x.csv:2:4: a quote inside an unquoted field (quote the whole field and double the quote)"`,
    );
    expect(errorOf(() => tokenize('a,b\n"x"y,z\n'))).toMatchInlineSnapshot(
      `"x.csv:2:4: expected a comma or a line end after a closing quote"`,
    );
    expect(errorOf(() => tokenize('a,b\n1,"open\n\n'))).toMatchInlineSnapshot(
      `"x.csv:2:3: unterminated quoted field"`,
    );
  });

  it('refuses a record longer than 1 MiB at its line, however it arrives (a 1 GB field crashed the backtest)', () => {
    const t = new CsvTokenizer('big.csv');
    t.push('a,b\n1,');
    const chunk = 'x'.repeat(64 * 1024);
    const feed = () => {
      for (let i = 0; i < 20; i++) t.push(chunk);
    };
    expect(errorOf(feed)).toBe(
      `big.csv:2:1: the record is longer than ${MAX_CSV_RECORD_CHARS} characters (gatesim's limit, see Limits in docs/formats.md)`,
    );
    // Quoted fields and many short fields count alike.
    expect(errorOf(() => tokenize(`a\n"${'y'.repeat(MAX_CSV_RECORD_CHARS)}"\n`))).toContain(
      'x.csv:2:1: the record is longer than',
    );
    expect(errorOf(() => tokenize(`a\n${','.repeat(MAX_CSV_RECORD_CHARS + 1)}\n`))).toContain(
      'x.csv:2:1: the record is longer than',
    );
    // A record at the limit is read.
    expect(tokenize(`a\n${'z'.repeat(MAX_CSV_RECORD_CHARS - 1)}\n`)).toHaveLength(2);
  });
});

describe('streaming', () => {
  it('yields records before the source is exhausted and buffers at most one chunk ahead', async () => {
    const chunks = 5000;
    const rowsPerChunk = 200;
    const row = '2018-03-15T00:00:00Z,eu,h1,canary,error_rate,0.01,100,1\n';
    const body = row.repeat(rowsPerChunk);
    let produced = 0;
    async function* source(): AsyncGenerator<string> {
      yield 'timestamp,region,group,role,metric,value,n,events\n';
      for (let i = 0; i < chunks; i++) {
        produced++;
        yield body;
      }
    }
    let records = 0;
    let firstSeenAfter = -1;
    let maxAhead = 0;
    let widths = 0;
    for await (const rec of csvRecords(source(), 'big.csv')) {
      if (records === 1) firstSeenAfter = produced;
      records++;
      // Records consumed so far come from chunk ⌈(records − 1) / rowsPerChunk⌉; the source
      // may be at most one chunk past the one being read.
      const reading = Math.ceil((records - 1) / rowsPerChunk);
      maxAhead = Math.max(maxAhead, produced - reading);
      widths += rec.fields.length;
    }
    expect(records).toBe(1 + chunks * rowsPerChunk);
    expect(widths).toBe(8 * records);
    // About 57 MB went through, yet the first data row came out after the first chunk.
    expect(firstSeenAfter).toBe(1);
    expect(maxAhead).toBeLessThanOrEqual(1);
  });

  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('name\nZürich\n');
    const parts = [bytes.slice(0, 7), bytes.slice(7)];
    const out: string[] = [];
    for await (const r of csvRecords(Readable.from(parts), 'u.csv')) out.push(r.fields[0]!);
    expect(out).toEqual(['name', 'Zürich']);
  });
});

describe('tableRows', () => {
  const spec = [
    { name: 'timestamp', aliases: ['time'], required: true },
    { name: 'value', required: true },
    { name: 'n', required: false },
  ];

  async function read(text: string, strict = true): Promise<string[][]> {
    const out: string[][] = [];
    for await (const r of tableRows([text], 'm.csv', spec, { strict })) {
      out.push([
        String(r.line),
        r.get('timestamp') ?? '-',
        r.get('value') ?? '-',
        r.get('n') ?? '-',
      ]);
    }
    return out;
  }

  async function failure(text: string, strict = true): Promise<string> {
    try {
      await read(text, strict);
    } catch (e) {
      if (e instanceof GatesimError) return e.message;
      throw e;
    }
    return 'no error';
  }

  it('matches columns by name in any order and case, with aliases', async () => {
    expect(await read('Value, TIME\n3,2018-01-01\n')).toEqual([['2', '2018-01-01', '3', '-']]);
  });

  it('names the header problems', async () => {
    expect(await failure('value,n\n1,2\n')).toMatchInlineSnapshot(
      `"m.csv:1:1: the header lacks column "timestamp" (got value,n)"`,
    );
    expect(await failure('timestamp,valeu\n1,2\n')).toMatchInlineSnapshot(
      `"m.csv:1:11: unknown column "valeu" (known: timestamp, value, n)"`,
    );
    expect(await read('timestamp,value,extra\n1,2,3\n', false)).toEqual([['2', '1', '2', '-']]);
    expect(await failure('')).toMatchInlineSnapshot(
      `"m.csv:1:1: empty file: expected a header with columns timestamp, value"`,
    );
  });

  it('rejects a row with a different number of fields', async () => {
    expect(await failure('timestamp,value\n1,2\n3\n')).toMatchInlineSnapshot(
      `"m.csv:3:1: expected 2 fields as in the header, got 1"`,
    );
  });
});
