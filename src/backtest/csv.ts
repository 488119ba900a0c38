/**
 * A small streaming CSV reader (RFC 4180: quoted fields, doubled quotes, embedded commas and
 * newlines, CRLF or LF) for recorded metrics that may be far larger than memory. Text goes in
 * chunk by chunk and complete records come out; only the record being read is buffered, so
 * memory stays flat however long the file is. Every record and field carries its line and
 * column, so a bad value is reported as `metrics.csv:17:3: ...`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GatesimError } from '../errors.js';
import { LIMIT_NOTE, MAX_CSV_RECORD_CHARS } from '../util/limits.js';

/** Text or bytes arriving in chunks: a file stream, a generator, or (for tests) an array of strings. */
export type ByteSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** One CSV record with where it came from. */
export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
  /** 1-based character column at which each field starts. */
  columns: number[];
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

type State =
  /** At the start of a field. */
  | 'field-start'
  /** Inside an unquoted field. */
  | 'unquoted'
  /** Inside a quoted field. */
  | 'quoted'
  /** Just read a quote inside a quoted field: a doubled quote or the closing one. */
  | 'quote-in-quoted'
  /** After a closing quote: only a comma or a line end may follow. */
  | 'after-quoted';

/**
 * Push-based RFC 4180 tokenizer: `push` text chunks as they arrive (a chunk may end anywhere,
 * even between CR and LF or inside a quoted field), `end` once at the end of input. Pure: no
 * I/O, so it serves files, streams and strings alike. Blank lines are skipped.
 *
 * @example new CsvTokenizer('x.csv').push('a,"b,c"\n')[0].fields // ['a', 'b,c']
 */
export class CsvTokenizer {
  private state: State = 'field-start';
  private fields: string[] = [];
  private columns: number[] = [];
  private field = '';
  private line = 1;
  private column = 1;
  private recordLine = 1;
  private fieldColumn = 1;
  private quoteLine = 1;
  private quoteColumn = 1;
  /** The previous chunk ended with CR: a LF at the start of the next chunk belongs to it. */
  private pendingCr = false;
  private started = false;
  /** Characters of the record being read: one record may not exceed MAX_CSV_RECORD_CHARS. */
  private recordChars = 0;

  constructor(private readonly file: string) {}

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.charCodeAt(i) === LF) i++;
    }
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case 'field-start':
          this.fieldColumn = this.column;
          if (this.fields.length === 0) this.recordLine = this.line;
          if (c === QUOTE) {
            this.grow(1);
            this.state = 'quoted';
            this.quoteLine = this.line;
            this.quoteColumn = this.column;
            i++;
            this.column++;
            continue;
          }
          this.state = 'unquoted';
          continue;
        case 'unquoted': {
          // Take the run up to the next special character in one slice.
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === COMMA || d === CR || d === LF || d === QUOTE) break;
            j++;
          }
          if (j > i) {
            this.grow(j - i);
            this.field += chunk.slice(i, j);
            this.column += j - i;
            i = j;
            continue;
          }
          if (c === QUOTE) {
            this.error(
              this.line,
              this.column,
              'a quote inside an unquoted field (quote the whole field and double the quote)',
            );
          }
          if (c === COMMA) {
            this.grow(1);
            this.endField();
            i++;
            this.column++;
            continue;
          }
          // CR or LF ends the record.
          i = this.endLine(chunk, i, out);
          continue;
        }
        case 'quoted': {
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === QUOTE || d === LF) break;
            j++;
          }
          if (j > i) {
            this.grow(j - i);
            this.field += chunk.slice(i, j);
            this.column += j - i;
            i = j;
            continue;
          }
          if (c === LF) {
            this.grow(1);
            this.field += '\n';
            this.line++;
            this.column = 1;
            i++;
            continue;
          }
          this.grow(1);
          this.state = 'quote-in-quoted';
          i++;
          this.column++;
          continue;
        }
        case 'quote-in-quoted':
          if (c === QUOTE) {
            this.grow(1);
            this.field += '"';
            this.state = 'quoted';
            i++;
            this.column++;
            continue;
          }
          this.state = 'after-quoted';
          continue;
        case 'after-quoted':
          if (c === COMMA) {
            this.grow(1);
            this.endField();
            i++;
            this.column++;
            continue;
          }
          if (c === CR || c === LF) {
            i = this.endLine(chunk, i, out);
            continue;
          }
          return this.error(
            this.line,
            this.column,
            'expected a comma or a line end after a closing quote',
          );
        default: {
          const never: never = this.state;
          throw new Error(`unknown state ${String(never)}`);
        }
      }
    }
    return out;
  }

  /** Ends the input; returns the last record if the text did not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === 'quoted')
      this.error(this.quoteLine, this.quoteColumn, 'unterminated quoted field');
    const out: CsvRecord[] = [];
    if (this.state !== 'field-start' || this.fields.length > 0) {
      this.endField();
      this.emit(out);
    }
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.columns.push(this.fieldColumn);
    this.field = '';
    this.state = 'field-start';
  }

  /** Handles CR, LF or CRLF at chunk[i]; returns the index after it. */
  private endLine(chunk: string, i: number, out: CsvRecord[]): number {
    this.endField();
    this.emit(out);
    let j = i;
    if (chunk.charCodeAt(j) === CR) {
      j++;
      if (j >= chunk.length) this.pendingCr = true;
      else if (chunk.charCodeAt(j) === LF) j++;
    } else {
      j++;
    }
    this.line++;
    this.column = 1;
    return j;
  }

  /** Counts characters into the current record; a record past the limit is an input error. */
  private grow(n: number): void {
    this.recordChars += n;
    if (this.recordChars > MAX_CSV_RECORD_CHARS) {
      this.error(
        this.recordLine,
        1,
        `the record is longer than ${MAX_CSV_RECORD_CHARS} characters (${LIMIT_NOTE})`,
      );
    }
  }

  private emit(out: CsvRecord[]): void {
    this.recordChars = 0;
    const blank = this.fields.length === 1 && this.fields[0] === '';
    if (!blank) out.push({ line: this.recordLine, fields: this.fields, columns: this.columns });
    this.fields = [];
    this.columns = [];
    this.state = 'field-start';
  }

  private error(line: number, column: number, message: string): never {
    throw new GatesimError('invalid-csv', `${this.file}:${line}:${column}: ${message}`);
  }
}

/**
 * Reads CSV records from a stream of text or bytes (UTF-8), yielding each record as soon as
 * its line is complete. Backpressure is the consumer's: the source is read one chunk ahead.
 */
export async function* csvRecords(source: ByteSource, file: string): AsyncGenerator<CsvRecord> {
  const tokenizer = new CsvTokenizer(file);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* tokenizer.push(text);
  }
  const rest = decoder.decode();
  if (rest !== '') yield* tokenizer.push(rest);
  yield* tokenizer.end();
}

/** Opens a file as a byte stream, turning "not there" into an input error. */
export async function openCsvFile(path: string): Promise<AsyncIterable<Uint8Array>> {
  try {
    const st = await stat(path);
    if (st.isDirectory())
      throw new GatesimError('not-a-file', `${path}: is a directory, not a file`);
  } catch (e) {
    if (e instanceof GatesimError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GatesimError('file-not-found', `${path}: no such file`);
    throw e;
  }
  return createReadStream(path, { highWaterMark: 64 * 1024 });
}

/** A column a table reader knows: its name, other spellings it accepts, and whether it must be there. */
export interface ColumnSpec {
  name: string;
  aliases?: readonly string[];
  required: boolean;
}

/** A data row of a table, with helpers that report problems at the right line and column. */
export interface TableRow {
  line: number;
  /** The trimmed text of a column, or undefined when the file has no such column. */
  get(name: string): string | undefined;
  /** Throws an input error pointing at a column of this row. */
  fail(name: string, message: string): never;
}

/**
 * Reads a CSV table with a header row: columns are matched to `spec` by name (any case,
 * surrounding spaces ignored, aliases allowed), in any order. Missing required columns and
 * (when `strict`) unknown ones are errors naming the header line; every row must have as many
 * fields as the header.
 */
export async function* tableRows(
  source: ByteSource,
  file: string,
  spec: readonly ColumnSpec[],
  options: { strict: boolean; suggest?: (name: string, known: readonly string[]) => string },
): AsyncGenerator<TableRow> {
  let index: Map<string, number> | undefined;
  let width = 0;
  for await (const rec of csvRecords(source, file)) {
    if (index === undefined) {
      index = headerIndex(rec, file, spec, options);
      width = rec.fields.length;
      continue;
    }
    if (rec.fields.length !== width) {
      const col = rec.columns[Math.min(rec.columns.length, width) - 1] ?? 1;
      throw new GatesimError(
        'invalid-csv',
        `${file}:${rec.line}:${col}: expected ${width} fields as in the header, got ${rec.fields.length}`,
      );
    }
    const map = index;
    yield {
      line: rec.line,
      get: (name) => {
        const k = map.get(name);
        return k === undefined ? undefined : rec.fields[k]!.trim();
      },
      fail: (name, message) => {
        const k = map.get(name);
        const col = k === undefined ? 1 : rec.columns[k]!;
        throw new GatesimError('invalid-csv', `${file}:${rec.line}:${col}: ${message}`);
      },
    };
  }
  if (index === undefined) {
    throw new GatesimError(
      'invalid-csv',
      `${file}:1:1: empty file: expected a header with columns ${spec
        .filter((c) => c.required)
        .map((c) => c.name)
        .join(', ')}`,
    );
  }
}

function headerIndex(
  rec: CsvRecord,
  file: string,
  spec: readonly ColumnSpec[],
  options: { strict: boolean; suggest?: (name: string, known: readonly string[]) => string },
): Map<string, number> {
  const index = new Map<string, number>();
  const known = spec.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  rec.fields.forEach((raw, k) => {
    const name = raw.trim().toLowerCase();
    const col = spec.find((c) => c.name === name || (c.aliases ?? []).includes(name));
    const at = `${file}:${rec.line}:${rec.columns[k]!}`;
    if (col === undefined) {
      if (!options.strict) return;
      throw new GatesimError(
        'invalid-csv',
        `${at}: unknown column "${raw.trim()}"${options.suggest?.(name, known) ?? ''} (known: ${spec.map((c) => c.name).join(', ')})`,
      );
    }
    if (index.has(col.name))
      throw new GatesimError('invalid-csv', `${at}: column "${col.name}" appears twice`);
    index.set(col.name, k);
  });
  const missing = spec.filter((c) => c.required && !index.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new GatesimError(
      'invalid-csv',
      `${file}:${rec.line}:1: the header lacks ${missing.length === 1 ? 'column' : 'columns'} ${missing.map((m) => `"${m}"`).join(', ')} (got ${rec.fields.map((f) => f.trim()).join(',')})`,
    );
  }
  return index;
}
