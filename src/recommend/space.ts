/**
 * Loading a space file: the shape (space-schema.ts), then what spans fields: unique names,
 * `when` and `default` naming real alternatives, every `$reference` naming a number, every
 * path parsing, the skeleton being a valid policy, and every operation selecting something
 * in the skeleton (with the other dimensions at their defaults, or one of them changed), so
 * a misspelt name is an error rather than a patch that silently never applies. Every issue
 * names the file and the path inside it; the CLI exits 2.
 */
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { parsePolicy, parseYaml, readConfigFile } from '../config/index.js';
import { PARSE_OPTIONS, toValidationIssues } from '../config/issues.js';
import { didYouMean, listNames } from '../config/suggest.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { buildData, FLEET_REFERENCES, type FleetFacts } from './build.js';
import { referencesIn } from './patch.js';
import {
  explainNoMatch,
  isMapping,
  parseSelectorPath,
  selectPlaces,
  type PathStep,
} from './path.js';
import type { OpFields, SpaceFile } from './space-schema.js';
import { spaceFileSchema } from './space-schema.js';
import type {
  Alternative,
  Assignment,
  BasePolicy,
  ChoiceDimension,
  Dimension,
  NumberDimension,
  OpSource,
  PatchOp,
  Space,
} from './types.js';

/** Top-level keys of a policy, for `fromPolicies`. */
const POLICY_KEYS = [
  'description',
  'ciTests',
  'rollbackDrill',
  'maxBatchShare',
  'rollback',
  'onInconclusive',
  'manualResume',
  'stages',
  'watch',
];

/** `dimensions[2].choose[0].set["stages[*].bake"]`. */
function at(where: string, field: string, key?: string): string {
  return key === undefined ? `${where}.${field}` : `${where}.${field}[${JSON.stringify(key)}]`;
}

function parseOps(
  fields: OpFields,
  where: string,
  issues: ValidationIssue[],
): (PatchOp & OpSource)[] {
  const ops: (PatchOp & OpSource)[] = [];
  const steps = (path: string, w: string) => {
    try {
      return parseSelectorPath(path);
    } catch (e) {
      issues.push({ path: w, message: (e as Error).message });
      return undefined;
    }
  };
  const removes = fields.remove === undefined ? [] : [fields.remove].flat();
  removes.forEach((path, k) => {
    const w = Array.isArray(fields.remove) ? `${where}.remove[${k}]` : `${where}.remove`;
    const s = steps(path, w);
    if (s !== undefined) ops.push({ kind: 'remove', path, steps: s, where: w });
  });
  for (const [path, value] of Object.entries(fields.set ?? {})) {
    const w = at(where, 'set', path);
    const s = steps(path, w);
    if (s !== undefined) ops.push({ kind: 'set', path, steps: s, value, where: w });
  }
  for (const [path, value] of Object.entries(fields.append ?? {})) {
    const w = at(where, 'append', path);
    const s = steps(path, w);
    const items = Array.isArray(value) ? value : [value];
    if (s !== undefined) ops.push({ kind: 'append', path, steps: s, items, where: w });
  }
  for (const [path, names] of Object.entries(fields.order ?? {})) {
    const w = at(where, 'order', path);
    const s = steps(path, w);
    if (s !== undefined) ops.push({ kind: 'order', path, steps: s, names, where: w });
  }
  return ops;
}

/** Minutes for durations, numbers as they are; every value of one dimension must be of one kind. */
function parseNumbers(
  raw: readonly unknown[],
  where: string,
  issues: ValidationIssue[],
): { values: number[]; unit: 'number' | 'duration' } {
  const unit = raw.some((v) => typeof v === 'string') ? 'duration' : 'number';
  const values: number[] = [];
  raw.forEach((v, k) => {
    const n = unit === 'duration' ? parseDuration(v) : (v as number);
    if (n === undefined) {
      issues.push({
        path: `${where}[${k}]`,
        message: `expected a duration such as 30m like the other values, got ${JSON.stringify(v)}`,
      });
      return;
    }
    if (!values.includes(n)) values.push(n);
  });
  values.sort((a, b) => a - b);
  return { values, unit };
}

function defaultNumberIndex(
  raw: unknown,
  values: readonly number[],
  unit: 'number' | 'duration',
  first: unknown,
  where: string,
  issues: ValidationIssue[],
): number {
  const want = raw ?? first;
  const n = unit === 'duration' ? parseDuration(want) : typeof want === 'number' ? want : undefined;
  const i = n === undefined ? -1 : values.indexOf(n);
  if (i < 0) {
    issues.push({
      path: where,
      message: `expected one of the values (${values.join(', ')}), got ${JSON.stringify(raw)}`,
    });
    return 0;
  }
  return i;
}

function buildDimensions(file: SpaceFile, issues: ValidationIssue[]): Dimension[] {
  const dims: Dimension[] = [];
  file.dimensions.forEach((d, i) => {
    const where = `dimensions[${i}]`;
    if (d.values !== undefined) {
      const { values, unit } = parseNumbers(d.values, `${where}.values`, issues);
      dims.push({
        kind: 'number',
        name: d.name,
        about: d.about,
        when: normaliseWhen(d.when),
        values,
        unit,
        defaultIndex: defaultNumberIndex(
          d.default,
          values,
          unit,
          d.values[0],
          `${where}.default`,
          issues,
        ),
        ops: parseOps(d, where, issues),
        owner: undefined,
        where,
      } satisfies NumberDimension);
      return;
    }
    const choose = d.choose ?? [];
    const nested: NumberDimension[] = [];
    const alternatives: Alternative[] = choose.map((a, j) => {
      const w = `${where}.choose[${j}]`;
      for (const [numName, spec] of Object.entries(a.numbers)) {
        const nw = `${w}.numbers.${numName}`;
        const { values, unit } = parseNumbers(spec.values, `${nw}.values`, issues);
        nested.push({
          kind: 'number',
          name: numName,
          about: spec.about,
          when: {},
          values,
          unit,
          defaultIndex: defaultNumberIndex(
            spec.default,
            values,
            unit,
            spec.values[0],
            `${nw}.default`,
            issues,
          ),
          ops: [],
          owner: { dimension: d.name, alternative: a.name },
          where: nw,
        });
      }
      return { name: a.name, about: a.about, ops: parseOps(a, w, issues) };
    });
    const names = alternatives.map((a) => a.name);
    let defaultIndex = 0;
    if (d.default !== undefined) {
      defaultIndex = typeof d.default === 'string' ? names.indexOf(d.default) : -1;
      if (defaultIndex < 0) {
        const hint = typeof d.default === 'string' ? didYouMean(d.default, names) : '';
        issues.push({
          path: `${where}.default`,
          message: `expected the name of an alternative (${listNames(names)}), got ${JSON.stringify(d.default)}${hint}`,
        });
        defaultIndex = 0;
      }
    }
    dims.push({
      kind: 'choice',
      name: d.name,
      about: d.about,
      when: normaliseWhen(d.when),
      alternatives,
      defaultIndex,
      where,
    } satisfies ChoiceDimension);
    dims.push(...nested);
  });
  return dims;
}

function normaliseWhen(w: Record<string, string | string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(w)) out[k] = [v].flat();
  return out;
}

function checkNames(dims: readonly Dimension[], issues: ValidationIssue[]): void {
  const seen = new Map<string, string>();
  for (const d of dims) {
    const first = seen.get(d.name);
    if (first !== undefined)
      issues.push({
        path: `${d.where}${d.kind === 'number' && d.owner !== undefined ? '' : '.name'}`,
        message: `the name \`${d.name}\` is already used by ${first}`,
      });
    else seen.set(d.name, d.where);
    if (d.name.startsWith('fleet.'))
      issues.push({
        path: d.where,
        message: 'names starting with `fleet.` are reserved for the built-in references',
      });
    if (d.kind === 'choice') {
      const alts = new Map<string, number>();
      d.alternatives.forEach((a, j) => {
        const k = alts.get(a.name);
        if (k !== undefined)
          issues.push({
            path: `${d.where}.choose[${j}].name`,
            message: `alternative \`${a.name}\` is already used by choose[${k}]`,
          });
        else alts.set(a.name, j);
      });
    }
  }
}

function checkWhen(dims: readonly Dimension[], issues: ValidationIssue[]): void {
  dims.forEach((d, i) => {
    for (const [dim, alts] of Object.entries(d.when)) {
      const j = dims.findIndex((x) => x.name === dim);
      const target = dims[j];
      const earlier = dims
        .slice(0, i)
        .filter((x) => x.kind === 'choice')
        .map((x) => x.name);
      if (target === undefined || target.kind !== 'choice' || j >= i) {
        const why =
          target === undefined
            ? `no choice dimension is named \`${dim}\`${didYouMean(dim, earlier)}`
            : target.kind !== 'choice'
              ? `\`${dim}\` is a number, not a choice`
              : `\`${dim}\` comes later; \`when\` may only name dimensions above it (they are applied in order)`;
        issues.push({ path: `${d.where}.when.${dim}`, message: why });
        continue;
      }
      const names = target.alternatives.map((a) => a.name);
      for (const alt of alts) {
        if (!names.includes(alt))
          issues.push({
            path: `${d.where}.when.${dim}`,
            message: `\`${dim}\` has no alternative \`${alt}\`${didYouMean(alt, names)} (it has ${listNames(names)})`,
          });
      }
    }
  });
}

function checkReferences(dims: readonly Dimension[], issues: ValidationIssue[]): void {
  const numbers = dims.filter((d) => d.kind === 'number').map((d) => d.name);
  const known = [...numbers, ...FLEET_REFERENCES];
  const ops = dims.flatMap((d) =>
    d.kind === 'choice' ? d.alternatives.flatMap((a) => a.ops) : d.ops,
  );
  for (const op of ops) {
    const value = op.kind === 'set' ? op.value : op.kind === 'append' ? op.items : undefined;
    for (const ref of referencesIn(value)) {
      if (!known.includes(ref))
        issues.push({
          path: op.where,
          message: `\`$${ref}\` names no number dimension${didYouMean(ref, known)} (numbers: ${listNames(numbers) || 'none'}; built-in: ${listNames([...FLEET_REFERENCES])})`,
        });
    }
  }
}

/** The default point: every dimension at its default. */
export function defaultAssignment(space: Pick<Space, 'dimensions'>, base = 0): Assignment {
  return { base, values: space.dimensions.map((d) => d.defaultIndex) };
}

/**
 * Every operation must select something in the skeleton with the other dimensions at their
 * defaults or one of them changed (a patch may need another's stage or check to exist).
 */
function checkOpsSelect(space: Space, issues: ValidationIssue[]): void {
  const facts: FleetFacts = { values: new Map(), problems: new Map() };
  // Fleet references stand for region names; any name will do for selecting.
  for (const r of FLEET_REFERENCES) facts.values.set(r, 'some-region');
  const total = new Map<string, number>();
  const add = (hits: Map<string, number>) => {
    for (const [w, n] of hits) total.set(w, (total.get(w) ?? 0) + n);
  };
  const base = defaultAssignment(space);
  const defaults = buildData(space, space.skeleton, base, facts);
  add(defaults.hits);
  space.dimensions.forEach((d, i) => {
    const count = d.kind === 'choice' ? d.alternatives.length : 1;
    for (let v = 0; v < count; v++) {
      if (v === d.defaultIndex && d.kind === 'choice') continue;
      const values = [...base.values];
      values[i] = v;
      add(buildData(space, space.skeleton, { base: 0, values }, facts).hits);
    }
  });
  for (const d of space.dimensions) {
    const ops = d.kind === 'choice' ? d.alternatives.flatMap((a) => a.ops) : d.ops;
    for (const op of ops) {
      if ((total.get(op.where) ?? 0) > 0) continue;
      // Removing what the skeleton lacks is how an option leaves something out of a given
      // policy (truthful's staging stage); its path must still lead somewhere real.
      if (op.kind === 'remove' && removalFits(defaults.data, op.steps)) continue;
      issues.push({
        path: op.where,
        message: `selects nothing in the skeleton (with the other dimensions at their defaults, or one changed): ${explainNoMatch(defaults.data, op.steps)}`,
      });
    }
  }
}

/**
 * Whether a removal's path leads somewhere in `data` up to what it removes: the list or
 * mapping exists, and each `[field=value]` filter names a field some item there has.
 */
function removalFits(data: unknown, steps: readonly PathStep[]): boolean {
  let cut = steps.length - 1;
  while (cut > 0 && steps[cut]!.kind !== 'key') cut--;
  const head = steps.slice(0, steps[steps.length - 1]!.kind === 'key' ? steps.length - 1 : cut + 1);
  if (head.length > 0 && selectPlaces(data, head).filter((p) => p.present).length === 0)
    return false;
  const lists =
    head.length === 0
      ? [data]
      : selectPlaces(data, head).map((p) => (p.parent as Record<string | number, unknown>)[p.key]);
  for (const step of steps.slice(head.length)) {
    if (step.kind !== 'match') continue;
    const has = lists.some(
      (l) => Array.isArray(l) && l.some((item) => fieldPresent(item, step.field)),
    );
    if (!has) return false;
  }
  return true;
}

function fieldPresent(item: unknown, field: readonly string[]): boolean {
  let v: unknown = item;
  for (const k of field) {
    if (!isMapping(v) || !Object.hasOwn(v, k)) return false;
    v = v[k];
  }
  return true;
}

function skeletonBase(
  raw: SpaceFile['skeleton'],
  file: string,
  issues: ValidationIssue[],
): BasePolicy | undefined {
  if (typeof raw === 'string') {
    const path = resolve(dirname(file), raw);
    const text = readConfigFile(path);
    const data = parseYaml(text, path);
    parsePolicy(text, path); // throws the skeleton file's own issues
    if (!isMapping(data)) return undefined;
    return { name: 'skeleton', file: path, data, kind: 'skeleton' };
  }
  try {
    parsePolicy(stringify(raw, { lineWidth: 0 }), file);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const i of e.issues)
      issues.push({ path: i.path === '' ? 'skeleton' : `skeleton.${i.path}`, message: i.message });
    return undefined;
  }
  return { name: 'skeleton', file, data: raw, kind: 'skeleton' };
}

/**
 * Parses a space from YAML text; `file` names it in messages and anchors a skeleton path.
 * @throws ValidationError with every issue found.
 */
export function parseSpace(text: string, file: string): Space {
  const data = parseYaml(text, file);
  const r = spaceFileSchema.safeParse(data, PARSE_OPTIONS);
  if (!r.success) throw new ValidationError(file, toValidationIssues(r.error.issues));
  const issues: ValidationIssue[] = [];
  r.data.fromPolicies.forEach((k, i) => {
    if (!POLICY_KEYS.includes(k))
      issues.push({
        path: `fromPolicies[${i}]`,
        message: `expected a top-level policy key (${listNames(POLICY_KEYS)}), got ${JSON.stringify(k)}${didYouMean(k, POLICY_KEYS)}`,
      });
  });
  const dimensions = buildDimensions(r.data, issues);
  checkNames(dimensions, issues);
  const beforeWhen = issues.length;
  checkWhen(dimensions, issues);
  // A `when` that names nothing makes its dimension never apply; its paths are not judged then.
  const whenBroken = issues.length > beforeWhen;
  checkReferences(dimensions, issues);
  const skeleton = skeletonBase(r.data.skeleton, file, issues);
  if (skeleton === undefined) throw new ValidationError(file, issues);
  const space: Space = {
    file,
    description: r.data.description,
    skeleton,
    fromPolicies: r.data.fromPolicies,
    dimensions,
  };
  if (!whenBroken) checkOpsSelect(space, issues);
  if (issues.length > 0) throw new ValidationError(file, issues);
  return space;
}

/** Loads a space file. */
export function loadSpace(file: string): Space {
  return parseSpace(readConfigFile(file), file);
}
