/**
 * Whatever a file says, the loaders answer with a config or a ValidationError, never with
 * anything else: random documents, random text, and mutations of the real library files
 * (a key deleted, a value of another type, an unknown key, two values swapped).
 * The seed is fixed (FC_SEED overrides it) and fast-check prints it on failure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import type { Registries } from '../../../src/config/index.js';
import { liveRegistries, parsePolicy, parseScenario } from '../../../src/config/index.js';
import { ValidationError } from '../../../src/errors.js';
import { testRegistries } from './registry-doubles.js';

const SEED = Number(process.env.FC_SEED ?? 20_260_401);
const root = resolve(import.meta.dirname, '../../..');
const library = (folder: string) =>
  readdirSync(join(root, folder))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ file: `${folder}/${f}`, text: readFileSync(join(root, folder, f), 'utf8') }));
const FILES = [
  ...library('scenarios').map((f) => ({ ...f, kind: 'scenario' as const })),
  ...library('policies').map((f) => ({ ...f, kind: 'policy' as const })),
];

type Parse = (text: string, file: string, options: { registries: Registries }) => unknown;
const PARSERS: Record<'scenario' | 'policy', Parse> = {
  scenario: parseScenario,
  policy: parsePolicy,
};

/** Runs a parser and fails the property on anything but a config or a well-formed ValidationError. */
function outcome(
  parse: Parse,
  text: string,
  file: string,
  registries: Registries,
): 'ok' | 'invalid' {
  try {
    parse(text, file, { registries });
    return 'ok';
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      expect(typeof i.path).toBe('string');
      expect(i.message.length).toBeGreaterThan(0);
    }
    for (const line of e.message.split('\n')) expect(line.startsWith(`${file}: `)).toBe(true);
    return 'invalid';
  }
}

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noDefaultInfinity: false, noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '10m',
    '1h30m',
    'fleet',
    'us-east',
    'error_rate',
    'threshold',
    'memory-leak',
    '-1',
    'two',
  ),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('kind', 'min', 'max', 'name', 'stages', 'fleet', 'regions', '__proto__'),
    ),
    tie('node'),
    { maxKeys: 4 },
  ),
})).node;

/** Every container and leaf in a document, by path. */
function paths(
  doc: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out));
  else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) paths(v, [...at, k], out);
  }
  return out;
}

function getAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let cur = doc;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

function setAt(doc: unknown, path: readonly (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v;
  const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = v;
  return doc;
}

function deleteAt(doc: unknown, path: readonly (string | number)[]): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string | number, unknown>)[key];
  return doc;
}

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'retype'; at: number; value: unknown }
  | { op: 'unknown-key'; at: number; key: string; value: unknown }
  | { op: 'swap'; at: number; with: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value }),
  fc.record({
    op: fc.constant('unknown-key' as const),
    at: fc.nat(),
    key: fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('bake2', 'treshold', 'kind', 'constructor'),
    ),
    value,
  }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
);

/** Applies mutations to a fresh copy of the document (YAML anchors become copies). */
function mutate(text: string, mutations: readonly Mutation[]): unknown {
  // A JSON round trip unshares aliased nodes (structuredClone would keep them shared).
  let doc: unknown = JSON.parse(JSON.stringify(parseDocument(text).toJS()));
  for (const m of mutations) {
    const all = paths(doc);
    const path = all[m.at % all.length]!;
    switch (m.op) {
      case 'delete':
        doc = deleteAt(doc, path);
        break;
      case 'retype':
        doc = setAt(doc, path, m.value);
        break;
      case 'unknown-key': {
        const target = getAt(doc, path);
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
          Object.defineProperty(target, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        break;
      }
      case 'swap': {
        const other = all[m.with % all.length]!;
        // Swapping a node with its own ancestor or descendant would make a cycle.
        const prefix = (a: readonly unknown[], b: readonly unknown[]) =>
          a.every((k, i) => b[i] === k);
        if (prefix(path, other) || prefix(other, path)) break;
        const a = structuredClone(getAt(doc, path));
        const b = structuredClone(getAt(doc, other));
        setAt(doc, path, b);
        setAt(doc, other, a);
        break;
      }
      default: {
        const never: never = m;
        throw new Error(String(never));
      }
    }
  }
  return doc;
}

describe('loaders never fail with anything but a ValidationError', () => {
  it('on random YAML documents', () => {
    fc.assert(
      fc.property(
        value,
        fc.constantFrom<'scenario' | 'policy'>('scenario', 'policy'),
        (doc, kind) => {
          const text = stringify(doc) ?? '';
          outcome(PARSERS[kind], text, `${kind}s/random.yaml`, testRegistries);
          outcome(PARSERS[kind], text, `${kind}s/random.yaml`, liveRegistries);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => {
        outcome(parseScenario, text, 'scenarios/noise.yaml', testRegistries);
        outcome(parsePolicy, text, 'policies/noise.yaml', testRegistries);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('on mutations of the library files', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...FILES),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (f, mutations) => {
          // Deleting the root leaves nothing: an empty file.
          const text = stringify(mutate(f.text, mutations), { aliasDuplicateObjects: false }) ?? '';
          if (outcome(PARSERS[f.kind], text, f.file, liveRegistries) === 'ok') valid++;
          else invalid++;
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
    // Most mutations break something; a few (a description swapped, a default deleted) do not.
    expect(invalid).toBeGreaterThan(valid);
  });

  it('on text edits of the library files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILES),
        fc.nat(),
        fc.nat({ max: 5 }),
        fc.string({ maxLength: 4 }),
        (f, at, cut, insert) => {
          const i = at % (f.text.length + 1);
          const text = f.text.slice(0, i) + insert + f.text.slice(i + cut);
          outcome(PARSERS[f.kind], text, f.file, liveRegistries);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });
});

describe('messages for typical mutations', () => {
  const text = (file: string) => FILES.find((f) => f.file === file)!.text;
  const issues = (parse: Parse, doc: unknown, file: string) => {
    try {
      parse(stringify(doc, { aliasDuplicateObjects: false }), file, { registries: liveRegistries });
    } catch (e) {
      if (e instanceof ValidationError) return e.message;
      throw e;
    }
    return 'ok';
  };

  it('a deleted fleet, a misspelt key, a swapped value', () => {
    const base = parseDocument(text('scenarios/baseline-healthy.yaml')).toJS() as Record<
      string,
      unknown
    >;
    const { fleet: _fleet, ...noFleet } = base;
    expect(issues(parseScenario, noFleet, 'scenarios/baseline-healthy.yaml')).toMatchInlineSnapshot(
      `"scenarios/baseline-healthy.yaml: fleet: required: expected a mapping"`,
    );
    const policy = parseDocument(text('policies/fixed-bake.yaml')).toJS() as {
      stages: { bake?: unknown; bkae?: unknown; checks?: { failureLimit?: unknown }[] }[];
    };
    policy.stages[0]!.bkae = policy.stages[0]!.bake;
    delete policy.stages[0]!.bake;
    policy.stages[0]!.checks![0]!.failureLimit = 'two';
    expect(issues(parsePolicy, policy, 'policies/fixed-bake.yaml')).toMatchInlineSnapshot(`
      "policies/fixed-bake.yaml: stages[0].checks[0].failureLimit: expected a whole number ≥ -1, got "two"
      policies/fixed-bake.yaml: stages[0].bkae: unknown key \`bkae\`; did you mean \`bake\`?"
    `);
  });
});
