/**
 * A policy file as a template with holes: the original YAML text, the tuned parameters
 * resolved against it, and the means to fill the holes with values, producing both a
 * validated PolicyConfig (to simulate) and YAML text (to write), comments intact.
 */
import { parseDocument, type Document } from 'yaml';
import { checkPolicyAgainstScenario, parsePolicy } from '../config/index.js';
import { GatesimError, ValidationError, formatIssues } from '../errors.js';
import type { PolicyConfig } from '../policy/types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { ScenarioConfig } from '../world/types.js';
import type { ParamSpec } from './params.js';
import { locate, sharedAnchors, type Located } from './path.js';

/** A parameter checked against the policy: what kind of value it is and what the file says. */
export interface TunedParam extends ParamSpec {
  /** `duration` values are minutes. */
  unit: 'number' | 'duration';
  /** The field takes whole numbers only (found by asking the policy schema). */
  integer: boolean;
  /** The value in the file (minutes for durations); undefined when the file leaves it to its default. */
  original: number | undefined;
  /** How values are written back: as a number, or as a duration string such as `1h30m`. */
  style: 'number' | 'duration-string';
}

/** Writes a number without float noise: `0.015000000000000001` → `0.015`. */
export function cleanNumber(v: number): number {
  return Number(v.toPrecision(12));
}

/** The YAML source of a value, in the parameter's style. */
export function formatParamValue(p: Pick<TunedParam, 'style'>, v: number): string {
  return p.style === 'duration-string' ? formatDuration(cleanNumber(v)) : String(cleanNumber(v));
}

/** A value for people: durations with units, numbers as written. */
export function showParamValue(p: Pick<TunedParam, 'unit'>, v: number | undefined): string {
  if (v === undefined) return 'default';
  return p.unit === 'duration' ? formatDuration(cleanNumber(v)) : String(cleanNumber(v));
}

interface Slot {
  param: TunedParam;
  located: Located;
}

export class PolicyTemplate {
  private readonly slots: Slot[] = [];
  /** Tuned values shared through anchors with aliases elsewhere (not an error: said, then run). */
  readonly warnings: string[] = [];

  private constructor(
    readonly text: string,
    readonly file: string,
    private readonly scenarios: readonly ScenarioConfig[],
  ) {}

  /**
   * Resolves every parameter against the policy text and checks, before any simulation,
   * that each path exists and that LOW and HIGH are values the field accepts.
   * @throws GatesimError naming the parameter and the problem.
   */
  static open(
    text: string,
    file: string,
    specs: readonly ParamSpec[],
    scenarios: readonly ScenarioConfig[],
  ): PolicyTemplate {
    const t = new PolicyTemplate(text, file, scenarios);
    // The untouched policy must be valid on its own, or every message below would mislead.
    t.validate(text);
    const doc = parseDocument(text);
    const seen = new Map<string, string>();
    for (const spec of specs) {
      const context = `--param ${spec.text}`;
      const before = seen.get(spec.path);
      if (before !== undefined)
        throw new GatesimError(
          'bad-param',
          `${context}: ${spec.path} is already tuned by --param ${before}`,
        );
      seen.set(spec.path, spec.text);
      const located = locate(doc, spec.keys, context);
      const param = resolveKind(spec, located, context);
      for (const shared of sharedAnchors(doc, spec.keys, text)) {
        const where = shared.aliases
          .map((a) => `${a.path} (line ${a.line}, column ${a.column})`)
          .join(', ');
        const what =
          shared.at === spec.path ? spec.path : `${spec.path} is inside ${shared.at}, which`;
        t.warnings.push(
          `${context}: ${what} is the anchor &${shared.anchor}, shared by ` +
            `${shared.aliases.length === 1 ? 'the alias' : `${shared.aliases.length} aliases`} at ${where}: ` +
            `tuning it changes ${shared.aliases.length === 1 ? 'that copy' : 'those copies'} too`,
        );
      }
      t.slots.push({ param, located });
    }
    t.slots.forEach((slot, i) => t.checkRange(slot, i));
    return t;
  }

  get params(): TunedParam[] {
    return this.slots.map((s) => s.param);
  }

  /**
   * The policy text with the given values (undefined leaves a parameter as the file has it).
   * Existing scalars are replaced in place, so everything else stays byte for byte; a key
   * the file leaves out is added through the Document API.
   */
  render(values: readonly (number | undefined)[]): string {
    const edits: { start: number; end: number; text: string }[] = [];
    const additions: { slot: Slot; value: number }[] = [];
    this.slots.forEach((slot, i) => {
      const v = values[i];
      if (v === undefined) return;
      if (slot.located.kind === 'scalar' && slot.located.node.range != null) {
        const [start, end] = slot.located.node.range;
        edits.push({ start, end, text: formatParamValue(slot.param, v) });
      } else {
        additions.push({ slot, value: v });
      }
    });
    let text = this.text;
    if (additions.length > 0) {
      const doc: Document = parseDocument(text);
      this.slots.forEach((slot, i) => {
        const v = values[i];
        if (v === undefined) return;
        const node =
          slot.param.style === 'duration-string' ? formatDuration(cleanNumber(v)) : cleanNumber(v);
        doc.setIn(slot.param.keys, node);
      });
      return doc.toString({ lineWidth: 0 });
    }
    edits.sort((a, b) => b.start - a.start);
    for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    return text;
  }

  /** The validated config for a set of values, named `name`. */
  config(values: readonly (number | undefined)[], name: string): PolicyConfig {
    return { ...this.validate(this.render(values)), name };
  }

  /** Parses a rendering and checks it against every scenario's fleet. */
  private validate(text: string): PolicyConfig {
    const policy = parsePolicy(text, this.file);
    for (const s of this.scenarios) {
      const issues = checkPolicyAgainstScenario(policy, s);
      if (issues.length > 0) throw new ValidationError(this.file, issues);
    }
    return policy;
  }

  private checkRange(slot: Slot, index: number): void {
    const p = slot.param;
    const context = `--param ${p.text}`;
    const only = (v: number): (number | undefined)[] =>
      this.slots.map((_, i) => (i === index ? v : undefined));
    for (const [which, v] of [
      ['LOW', p.low],
      ['HIGH', p.high],
    ] as const) {
      try {
        this.validate(this.render(only(v)));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        throw new GatesimError(
          'bad-param',
          `${context}: ${which} ${showParamValue(p, v)} is not a value ${p.path} accepts:\n` +
            formatIssues(this.file, e.issues),
        );
      }
    }
    // Whole-number fields reject a value halfway between two whole numbers at this very path.
    if (p.unit === 'number' && Number.isInteger(p.low) && Number.isInteger(p.high)) {
      try {
        this.validate(this.render(only(p.low + 0.5)));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        if (e.issues.some((i) => i.path === p.path)) p.integer = true;
      }
    }
  }
}

function resolveKind(spec: ParamSpec, located: Located, context: string): TunedParam {
  if (located.kind === 'absent') {
    return {
      ...spec,
      unit: spec.durationWritten ? 'duration' : 'number',
      integer: false,
      original: undefined,
      style: spec.durationWritten ? 'duration-string' : 'number',
    };
  }
  const v = located.value;
  if (typeof v === 'number') {
    return {
      ...spec,
      unit: spec.durationWritten ? 'duration' : 'number',
      integer: false,
      original: v,
      style: 'number',
    };
  }
  if (typeof v === 'string') {
    const minutes = parseDuration(v);
    if (minutes !== undefined) {
      return {
        ...spec,
        unit: 'duration',
        integer: false,
        original: minutes,
        style: 'duration-string',
      };
    }
  }
  throw new GatesimError(
    'bad-param',
    `${context}: ${spec.path} is ${JSON.stringify(v)} in the policy; only numbers and durations can be tuned`,
  );
}
