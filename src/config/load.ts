/**
 * Loading scenario and policy files: YAML → plain data → schema → config. The parse
 * functions are pure (text in, config or ValidationError out) for tests and the fuzzer;
 * the load functions add the file system.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve, sep } from 'node:path';
import type { z } from 'zod';
import type { Document, Node } from 'yaml';
import { isAlias, isCollection, isMap, isNode, LineCounter, parseDocument } from 'yaml';
import type { ValidationIssue } from '../errors.js';
import { GatesimError, ValidationError } from '../errors.js';
import type { PolicyConfig } from '../policy/types.js';
import { loadTrace, traceCurve } from '../world/trace.js';
import type { ScenarioConfig, TraceConfig } from '../world/types.js';
import { checkPolicyAgainstScenario } from './cross-checks.js';
import { PARSE_OPTIONS, toValidationIssues } from './issues.js';
import { policySchema } from './policy-schema.js';
import type { Registries } from './registries.js';
import { liveRegistries } from './registries.js';
import { scenarioSchema } from './scenario-schema.js';
import { LIMIT_NOTE, MAX_CONFIG_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES } from '../util/limits.js';

/** Options shared by the parse and load functions. */
export interface LoadOptions {
  /** Plugin registries to validate against; the program's own by default. */
  registries?: Registries;
}

/** Tags of the YAML core schema: plain mappings, lists, strings, numbers, booleans and null. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** `tag:yaml.org,2002:binary` → `!!binary`, as a file writes it. */
function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** `1,048,576 bytes` → `1 MiB`, for size messages. */
function mib(bytes: number): string {
  return `${Number((bytes / 2 ** 20).toPrecision(3))} MiB`;
}

/**
 * Checks a parsed document before it becomes plain data: only core-schema tags (YAML 1.1's
 * `!!binary`, `!!set`, `!!omap` and unknown tags would otherwise turn into values no schema
 * expects, or quietly into strings), every alias resolvable and outside its own anchor, no
 * nesting deeper than MAX_YAML_DEPTH and at most MAX_YAML_NODES values once aliases are
 * expanded. Each problem is reported at its line and column; the walk stops at the first.
 */
function checkDocument(
  doc: Document,
  text: string,
  at: (offset: number) => string,
): ValidationIssue | undefined {
  const anchors = new Map<string, Node>();
  const open = new Set<Node>();
  // Expanded size and height of subtrees already walked, for aliases that point at them.
  const sizes = new Map<Node, { size: number; height: number }>();
  let total = 0;
  const issue = (node: Node, message: string): ValidationIssue => ({
    path: at(node.range?.[0] ?? 0),
    message,
  });

  const walk = (
    node: unknown,
    depth: number,
  ): ValidationIssue | { size: number; height: number } => {
    if (!isNode(node)) return { size: 0, height: 0 };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined)
        return issue(node, `alias *${node.source} has no anchor &${node.source} before it`);
      if (open.has(target))
        return issue(
          node,
          `alias *${node.source} refers to &${node.source}, which contains it (a value cannot contain itself)`,
        );
      const t = sizes.get(target)!;
      total += t.size;
      if (depth + t.height > MAX_YAML_DEPTH)
        return issue(node, `nesting deeper than ${MAX_YAML_DEPTH} levels (${LIMIT_NOTE})`);
      if (total > MAX_YAML_NODES)
        return issue(
          node,
          `aliases expand this document to more than ${MAX_YAML_NODES} values (${LIMIT_NOTE})`,
        );
      return t;
    }
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      // The node starts at its value; point at the tag written before it when it is there.
      const tag = shortTag(node.tag);
      const start = node.range?.[0] ?? 0;
      const written = text.lastIndexOf(tag, start);
      return {
        path: at(written >= 0 && start - written <= tag.length + 80 ? written : start),
        message: `unsupported tag ${tag} (scenario and policy files use plain YAML: mappings, lists, strings, numbers, booleans and null)`,
      };
    }
    if (depth > MAX_YAML_DEPTH)
      return issue(node, `nesting deeper than ${MAX_YAML_DEPTH} levels (${LIMIT_NOTE})`);
    total += 1;
    if (total > MAX_YAML_NODES)
      return issue(node, `the document has more than ${MAX_YAML_NODES} values (${LIMIT_NOTE})`);
    if (node.anchor !== undefined) anchors.set(node.anchor, node);
    const own = { size: 1, height: 0 };
    if (isCollection(node)) {
      open.add(node);
      const children: unknown[] = isMap(node)
        ? node.items.flatMap((p) => [p.key, p.value])
        : node.items;
      for (const child of children) {
        const r = walk(child, depth + 1);
        if ('path' in r) return r;
        own.size += r.size;
        own.height = Math.max(own.height, r.height + 1);
      }
      open.delete(node);
    }
    sizes.set(node, own);
    return own;
  };
  const r = walk(doc.contents, 1);
  return 'path' in r ? r : undefined;
}

/** Parses YAML text to plain data, reporting syntax errors and the checks above as `line:column` issues. */
export function parseYaml(text: string, file: string): unknown {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ValidationError(file, [
      {
        path: '',
        message: `the text is ${text.length} characters, over the ${mib(MAX_CONFIG_BYTES)} limit for scenario and policy files (${LIMIT_NOTE})`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  const at = (offset: number): string => {
    const p = lineCounter.linePos(offset);
    return `${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ValidationError(
      file,
      doc.errors.map((e) => ({
        path: at(e.pos[0]),
        // The parser recurses per level; past what its stack takes, the same limit applies.
        message: /Maximum call stack size exceeded/.test(e.message)
          ? `nesting deeper than ${MAX_YAML_DEPTH} levels (${LIMIT_NOTE})`
          : `YAML syntax error: ${e.message}`,
      })),
    );
  }
  const problem = checkDocument(doc, text, at);
  if (problem !== undefined) throw new ValidationError(file, [problem]);
  // checkDocument has bounded the expansion, so the parser's own alias guard can stand aside.
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * The first paragraph of a file's opening comment, as one line: what a file without a
 * `description:` says about itself (the report shows it). Empty when the file opens with data.
 */
export function leadingComment(text: string): string {
  const words: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t.startsWith('#')) {
      if (t === '' && words.length === 0) continue;
      break;
    }
    const body = t.replace(/^#+/, '').trim();
    if (body === '') {
      if (words.length > 0) break;
      continue;
    }
    words.push(body);
  }
  return words.join(' ');
}

/** `scenarios/slow-memory-leak.yaml` → `slow-memory-leak`. */
export function configName(file: string): string {
  return basename(file, extname(file));
}

function run<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const r = schema.safeParse(data, PARSE_OPTIONS);
  if (!r.success) throw new ValidationError(file, toValidationIssues(r.error.issues));
  return r.data;
}

const scenarioSchemas = new WeakMap<Registries, ReturnType<typeof scenarioSchema>>();
const policySchemas = new WeakMap<Registries, ReturnType<typeof policySchema>>();

/** Schemas are built once per registries object; they read the registries' contents at parse time. */
function schemasFor(regs: Registries) {
  let s = scenarioSchemas.get(regs);
  if (s === undefined) scenarioSchemas.set(regs, (s = scenarioSchema(regs)));
  let p = policySchemas.get(regs);
  if (p === undefined) policySchemas.set(regs, (p = policySchema(regs)));
  return { scenario: s, policy: p };
}

/**
 * Parses a scenario from YAML text. `file` names it in messages and gives its name and baseDir.
 * @throws ValidationError with every issue found.
 * @example parseScenario('fleet: { regions: [{ name: eu, trafficShare: 1, hosts: 4 }] }', 'x.yaml')
 */
export function parseScenario(
  text: string,
  file: string,
  options: LoadOptions = {},
): ScenarioConfig {
  const data = parseYaml(text, file);
  const body = run(schemasFor(options.registries ?? liveRegistries).scenario, data, file);
  const description = body.description === '' ? leadingComment(text) : body.description;
  return { name: configName(file), ...body, description, baseDir: dirname(resolve(file)) };
}

/**
 * Parses a policy from YAML text. Region names are checked only against a scenario
 * (`checkPolicyAgainstScenario`), since a policy may run on many fleets.
 * @throws ValidationError with every issue found.
 */
export function parsePolicy(text: string, file: string, options: LoadOptions = {}): PolicyConfig {
  const data = parseYaml(text, file);
  const body = run(schemasFor(options.registries ?? liveRegistries).policy, data, file);
  const description = body.description === '' ? leadingComment(text) : body.description;
  return { name: configName(file), ...body, description, baseDir: dirname(resolve(file)) };
}

/**
 * Reads a file, turning "not there", "not a file" and "too large" into input errors. At most
 * MAX_CONFIG_BYTES + 1 bytes are read, so a huge file (or a device that never ends) costs
 * no more than a file at the limit.
 */
export function readConfigFile(file: string): string {
  let fd: number | undefined;
  try {
    if (statSync(file).isDirectory())
      throw new GatesimError('not-a-file', `${file}: is a directory, not a file`);
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(file, size);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_CONFIG_BYTES) throw tooLarge(file, undefined);
    }
    return buf.toString('utf8', 0, length);
  } catch (e) {
    if (e instanceof GatesimError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GatesimError('file-not-found', `${file}: no such file`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new GatesimError('file-unreadable', `${file}: permission denied`);
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tooLarge(file: string, size: number | undefined): GatesimError {
  const is = size === undefined ? '' : ` is ${mib(size)} (${size} bytes),`;
  return new GatesimError(
    'input-too-large',
    `${file}: the file${is} over the ${mib(MAX_CONFIG_BYTES)} limit for scenario and policy files (${LIMIT_NOTE})`,
  );
}

/**
 * A scenario's recorded series (traffic, business) must exist next to it and read as a trace
 * that carries load; the pure parser cannot look, and a trial must not be the first to find out.
 */
function checkTraceFile(scenario: ScenarioConfig, file: string): void {
  const traces: [string, TraceConfig | undefined][] = [
    ['traffic.trace.file', scenario.traffic.trace],
    ['service.business.trace.file', scenario.service.business.trace],
  ];
  const issues = [];
  for (const [path, spec] of traces) {
    if (spec === undefined) continue;
    const name = spec.file;
    const at = resolve(scenario.baseDir, name);
    let exists = false;
    try {
      exists = statSync(at).isFile();
    } catch {
      exists = false;
    }
    if (!exists) {
      issues.push({ path, message: `no such file: ${name} (looked in ${scenario.baseDir})` });
      continue;
    }
    try {
      // Read once and cached: the trials reuse it. traceCurve checks that it carries load.
      const trace = loadTrace(
        at,
        spec.stepMinutes === undefined ? {} : { stepMinutes: spec.stepMinutes },
      );
      traceCurve(trace, 0);
    } catch (e) {
      if (!(e instanceof GatesimError)) throw e;
      issues.push({ path, message: e.message });
    }
  }
  if (issues.length > 0) throw new ValidationError(file, issues);
}

/** Loads a scenario file and checks that a traffic trace it names exists. */
export function loadScenario(file: string, options: LoadOptions = {}): ScenarioConfig {
  const scenario = parseScenario(readConfigFile(file), file, options);
  checkTraceFile(scenario, file);
  return scenario;
}

/** Loads a policy file; with a scenario, also checks its regions and coverage against that fleet. */
export function loadPolicy(
  file: string,
  options: LoadOptions & { scenario?: ScenarioConfig } = {},
): PolicyConfig {
  const policy = parsePolicy(readConfigFile(file), file, options);
  if (options.scenario !== undefined) {
    const issues = checkPolicyAgainstScenario(policy, options.scenario);
    if (issues.length > 0) throw new ValidationError(file, issues);
  }
  return policy;
}

/** A loaded file of either kind. */
export type AnyConfig =
  { kind: 'scenario'; config: ScenarioConfig } | { kind: 'policy'; config: PolicyConfig };

/** Keys only a scenario has, and keys only a policy has, for telling them apart by content. */
const SCENARIO_KEYS = [
  'fleet',
  'traffic',
  'service',
  'builds',
  'confounders',
  'impactBar',
  'noise',
  'schedule',
];
const POLICY_KEYS = [
  'stages',
  'ciTests',
  'watch',
  'rollbackDrill',
  'onInconclusive',
  'manualResume',
];

/**
 * Tells a scenario from a policy: by its top-level keys when they say, else by a `scenarios`
 * or `policies` folder in its path; undefined when neither does.
 */
export function detectKind(data: unknown, file: string): 'scenario' | 'policy' | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const keys = Object.keys(data);
    const s = keys.some((k) => SCENARIO_KEYS.includes(k));
    const p = keys.some((k) => POLICY_KEYS.includes(k));
    if (s && !p) return 'scenario';
    if (p && !s) return 'policy';
  }
  const parts = resolve(file).split(sep);
  const folder = parts
    .slice(0, -1)
    .reverse()
    .find((d) => d === 'scenarios' || d === 'policies');
  if (folder === 'scenarios') return 'scenario';
  if (folder === 'policies') return 'policy';
  return undefined;
}

/** Parses text as whichever kind it is (see `detectKind`). */
export function parseAny(text: string, file: string, options: LoadOptions = {}): AnyConfig {
  const kind = detectKind(parseYaml(text, file), file);
  switch (kind) {
    case 'scenario':
      return { kind, config: parseScenario(text, file, options) };
    case 'policy':
      return { kind, config: parsePolicy(text, file, options) };
    case undefined:
      throw new ValidationError(file, [
        {
          path: '',
          message: `cannot tell whether this is a scenario or a policy: a scenario has \`fleet\`, a policy has \`stages\` (or put it in a scenarios/ or policies/ folder)`,
        },
      ]);
  }
}

/** Loads a file as whichever kind it is, deciding by content or folder. */
export function loadAny(file: string, options: LoadOptions = {}): AnyConfig {
  const parsed = parseAny(readConfigFile(file), file, options);
  if (parsed.kind === 'scenario') checkTraceFile(parsed.config, file);
  return parsed;
}

export type { ValidationIssue };
