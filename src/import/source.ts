/**
 * Reading the files an importer is given: YAML (several `---` documents allowed) or JSON, and a
 * small accessor that remembers where each value sits so every complaint reads
 * `rollout.yaml: spec.strategy.canary.steps[2].pause.duration: expected ..., got "ten"`.
 */
import { parseAllDocuments } from 'yaml';
import { GatesimError, ValidationError } from '../errors.js';

/** A file's name (as the user gave it) and its text. */
export interface SourceText {
  name: string;
  text: string;
}

/** Shows a value in an error message: strings quoted, the rest as JSON, long values cut. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Appends a key to a path: `a.b`, `a[2]`, or `a["odd key"]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * A value inside a source document with its file and path. Accessors check types and throw
 * ValidationError (a GatesimError, exit code 2) naming the file and path.
 */
export class SourceNode {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  /** Throws a ValidationError at this node. */
  fail(message: string): never {
    throw new ValidationError(this.file, [{ path: this.path, message }]);
  }

  /** Throws `expected <what>, got <value>` at this node. */
  expected(what: string): never {
    return this.fail(`expected ${what}, got ${show(this.value)}`);
  }

  isMap(): boolean {
    return isRecord(this.value);
  }

  /** The child at `key`, or undefined when the key is absent or null. */
  get(key: string): SourceNode | undefined {
    const map = this.map();
    const v = Object.hasOwn(map, key) ? map[key] : undefined;
    return v === undefined || v === null
      ? undefined
      : new SourceNode(this.file, joinPath(this.path, key), v);
  }

  /** The child at the first of `keys` present (for formats that spell a field two ways). */
  getAny(...keys: string[]): SourceNode | undefined {
    for (const k of keys) {
      const n = this.get(k);
      if (n !== undefined) return n;
    }
    return undefined;
  }

  /** The child at `key`; a missing key is an error. */
  req(key: string, what = 'a value'): SourceNode {
    const n = this.get(key);
    if (n === undefined) {
      throw new ValidationError(this.file, [
        { path: joinPath(this.path, key), message: `missing: expected ${what}` },
      ]);
    }
    return n;
  }

  /** The keys of a mapping (in file order). */
  keys(): string[] {
    return Object.keys(this.map());
  }

  map(): Record<string, unknown> {
    if (!isRecord(this.value)) return this.expected('a mapping');
    return this.value;
  }

  /** The items of a list. */
  items(): SourceNode[] {
    if (!Array.isArray(this.value)) return this.expected('a list');
    return this.value.map((v, i) => new SourceNode(this.file, joinPath(this.path, i), v));
  }

  str(): string {
    if (typeof this.value !== 'string') return this.expected('a string');
    return this.value;
  }

  /** A number; numeric strings are accepted because YAML users often quote them. */
  num(what = 'a number'): number {
    const v = this.value;
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) return this.expected(what);
    return n;
  }

  /** A whole number within [min, max]; numeric strings accepted (Kubernetes int-or-string fields). */
  int(min: number, max = Infinity): number {
    const what =
      max === Infinity ? `a whole number ≥ ${min}` : `a whole number in [${min}, ${max}]`;
    const n = this.num(what);
    if (!Number.isInteger(n) || n < min || n > max) return this.expected(what);
    return n;
  }

  /** A number within [min, max]. */
  range(min: number, max: number, what = `a number in [${min}, ${max}]`): number {
    const n = this.num(what);
    if (n < min || n > max) return this.expected(what);
    return n;
  }

  bool(): boolean {
    if (typeof this.value !== 'boolean') return this.expected('true or false');
    return this.value;
  }
}

/** One parsed document of a source file. */
export interface SourceDoc {
  file: string;
  /** Index of the document in its file (0 for the first `---` section). */
  index: number;
  root: SourceNode;
}

/** Parses YAML or JSON text into its documents; a syntax error is a GatesimError naming the file and line. */
export function parseSource(src: SourceText): SourceDoc[] {
  const docs = parseAllDocuments(src.text, { prettyErrors: true });
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for empty input.
    return [];
  }
  const out: SourceDoc[] = [];
  docs.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err !== undefined) {
      throw new GatesimError(
        'invalid-input',
        `${src.name}: not valid YAML or JSON: ${err.message.split('\n')[0]}`,
      );
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    // A file with several documents says which one in every message about it.
    const label = docs.length > 1 ? `${src.name} (document ${index + 1})` : src.name;
    out.push({ file: label, index, root: new SourceNode(label, '', value) });
  });
  return out;
}

/** A Kubernetes-style document: its kind and metadata.name, if it has them. */
export function kindOf(doc: SourceDoc): { kind: string | undefined; name: string | undefined } {
  if (!doc.root.isMap()) return { kind: undefined, name: undefined };
  const kind = doc.root.get('kind')?.value;
  const meta = doc.root.get('metadata');
  const name = meta?.isMap() === true ? meta.get('name')?.value : undefined;
  return {
    kind: typeof kind === 'string' ? kind : undefined,
    name: typeof name === 'string' ? name : undefined,
  };
}
