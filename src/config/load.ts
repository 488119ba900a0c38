/**
 * Loading scenario and policy files: YAML → plain data → schema → config. The parse
 * functions are pure (text in, config or ValidationError out) for tests and the fuzzer;
 * the load functions add the file system.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import type { ValidationIssue } from '../errors.js';
import { GatesimError, ValidationError } from '../errors.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { checkPolicyAgainstScenario } from './cross-checks.js';
import { PARSE_OPTIONS, toValidationIssues } from './issues.js';
import { policySchema } from './policy-schema.js';
import type { Registries } from './registries.js';
import { liveRegistries } from './registries.js';
import { scenarioSchema } from './scenario-schema.js';

/** Options shared by the parse and load functions. */
export interface LoadOptions {
  /** Plugin registries to validate against; the program's own by default. */
  registries?: Registries;
}

/** The YAML parser's own limit on alias expansion: a YAML "billion laughs" is an input error. */
const MAX_ALIAS_COUNT = 1000;

/** Parses YAML text to plain data, reporting syntax errors as `line:column` issues. */
export function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      file,
      doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: `${at.line}:${at.col}`, message: `YAML syntax error: ${e.message}` };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package refuses excessive alias expansion with a ReferenceError.
    if (e instanceof ReferenceError) {
      throw new ValidationError(file, [
        { path: '', message: `YAML could not be expanded: ${e.message}` },
      ]);
    }
    throw e;
  }
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
  return { name: configName(file), ...body, baseDir: dirname(resolve(file)) };
}

/**
 * Parses a policy from YAML text. Region names are checked only against a scenario
 * (`checkPolicyAgainstScenario`), since a policy may run on many fleets.
 * @throws ValidationError with every issue found.
 */
export function parsePolicy(text: string, file: string, options: LoadOptions = {}): PolicyConfig {
  const data = parseYaml(text, file);
  const body = run(schemasFor(options.registries ?? liveRegistries).policy, data, file);
  return { name: configName(file), ...body, baseDir: dirname(resolve(file)) };
}

/** Reads a file, turning "not there" and "not a file" into input errors. */
export function readConfigFile(file: string): string {
  try {
    if (statSync(file).isDirectory())
      throw new GatesimError('not-a-file', `${file}: is a directory, not a file`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof GatesimError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GatesimError('file-not-found', `${file}: no such file`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new GatesimError('file-unreadable', `${file}: permission denied`);
    throw e;
  }
}

/** A scenario's recorded series (traffic, business) must exist next to it; the pure parser cannot look. */
function checkTraceFile(scenario: ScenarioConfig, file: string): void {
  const traces: [string, string | undefined][] = [
    ['traffic.trace.file', scenario.traffic.trace?.file],
    ['service.business.trace.file', scenario.service.business.trace?.file],
  ];
  const issues = [];
  for (const [path, name] of traces) {
    if (name === undefined) continue;
    let exists = false;
    try {
      exists = statSync(resolve(scenario.baseDir, name)).isFile();
    } catch {
      exists = false;
    }
    if (!exists)
      issues.push({ path, message: `no such file: ${name} (looked in ${scenario.baseDir})` });
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
