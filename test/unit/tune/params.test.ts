/**
 * `--param` parsing and resolution against a policy file: every mistake is a GatesimError
 * raised before any trial runs, with a message naming the parameter and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, parsePolicy } from '../../../src/config/index.js';
import { GatesimError } from '../../../src/errors.js';
import { parseParamSpec } from '../../../src/tune/params.js';
import { parsePath } from '../../../src/tune/path.js';
import { PolicyTemplate } from '../../../src/tune/template.js';
import { tune } from '../../../src/tune/index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIXED_BAKE = `${ROOT}policies/fixed-bake.yaml`;
const COMMENTED = `${ROOT}test/fixtures/tune/commented.yaml`;
const HEALTHY = loadScenario(`${ROOT}scenarios/baseline-healthy.yaml`);
const CLOSED_FORM = loadScenario(`${ROOT}test/fixtures/tune/closed-form.yaml`);

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GatesimError);
    return (e as Error).message.replaceAll(ROOT, '');
  }
  throw new Error('expected an error');
}

function open(file: string, ...params: string[]): PolicyTemplate {
  return PolicyTemplate.open(readFileSync(file, 'utf8'), file, params.map(parseParamSpec), [
    HEALTHY,
  ]);
}

describe('parseParamSpec', () => {
  it('reads paths, numeric and duration ranges, steps and log', () => {
    const a = parseParamSpec('stages[1].checks[0].judge.max=0.005..0.02:16');
    expect(a).toMatchObject({
      path: 'stages[1].checks[0].judge.max',
      keys: ['stages', 1, 'checks', 0, 'judge', 'max'],
      low: 0.005,
      high: 0.02,
      steps: 16,
      log: false,
      durationWritten: false,
    });
    const b = parseParamSpec('watch.duration=30m..4h:log');
    expect(b).toMatchObject({
      low: 30,
      high: 240,
      steps: undefined,
      log: true,
      durationWritten: true,
    });
    expect(parseParamSpec('stages[0].bake=10..1h30m:5:log')).toMatchObject({
      low: 10,
      high: 90,
      steps: 5,
      log: true,
    });
    expect(parseParamSpec('ciTests.error-rate=.1..0.9').keys).toEqual(['ciTests', 'error-rate']);
  });

  it('says what is wrong with a malformed parameter', () => {
    expect(message(() => parseParamSpec('stages[0].bake'))).toMatchInlineSnapshot(
      `"--param stages[0].bake: expected PATH=LOW..HIGH[:STEPS|log], e.g. stages[0].checks[0].judge.max=0.005..0.02:16"`,
    );
    expect(message(() => parseParamSpec('stages[0].bake=10m'))).toMatchInlineSnapshot(
      `"--param stages[0].bake=10m: expected a range LOW..HIGH after "=", e.g. 0.005..0.02 or 10m..2h"`,
    );
    expect(message(() => parseParamSpec('stages[0].bake=2h..10m'))).toMatchInlineSnapshot(
      `"--param stages[0].bake=2h..10m: expected LOW < HIGH, got 2h..10m"`,
    );
    expect(message(() => parseParamSpec('stages[0].bake=10m..2x'))).toMatchInlineSnapshot(
      `"--param stages[0].bake=10m..2x: HIGH "2x" is neither a number nor a duration such as 30s, 10m or 2h"`,
    );
    expect(message(() => parseParamSpec('x.max=0..1:log'))).toMatchInlineSnapshot(
      `"--param x.max=0..1:log: a log range needs LOW > 0, got 0"`,
    );
    expect(message(() => parseParamSpec('x.max=0..1:1'))).toMatchInlineSnapshot(
      `"--param x.max=0..1:1: STEPS must be a whole number in [2, 1000], got 1"`,
    );
    expect(message(() => parseParamSpec('x.max=0..1:fine'))).toMatchInlineSnapshot(
      `"--param x.max=0..1:fine: expected ":STEPS" (a whole number ≥ 2) or ":log" after the range, got ":fine""`,
    );
    expect(message(() => parsePath('stages[x].bake', 'ctx'))).toMatchInlineSnapshot(
      `"ctx: expected a list index such as [0] in path "stages[x].bake""`,
    );
    expect(message(() => parsePath('stages..bake', 'ctx'))).toMatchInlineSnapshot(
      `"ctx: expected a key name at ".bake" in path "stages..bake""`,
    );
  });
});

describe('resolving a parameter against the policy', () => {
  it('rejects paths that do not exist, before any simulation', () => {
    expect(message(() => open(FIXED_BAKE, 'stages[5].bake=10m..2h'))).toMatchInlineSnapshot(
      `"--param stages[5].bake=10m..2h: stages has 2 items (stages[0] to stages[1]), so stages[5] does not exist"`,
    );
    expect(
      message(() => open(FIXED_BAKE, 'stages[0].checkz[0].judge.max=0.01..0.02')),
    ).toMatchInlineSnapshot(
      `"--param stages[0].checkz[0].judge.max=0.01..0.02: stages[0] has no key "checkz" (it has \`name\`, \`target\`, \`bake\` or \`checks\`); did you mean \`checks\`?"`,
    );
    expect(message(() => open(FIXED_BAKE, 'watch.duration=1h..4h'))).toMatchInlineSnapshot(
      `"--param watch.duration=1h..4h: (the top level) has no key "watch" (it has \`description\`, \`ciTests\`, \`maxBatchShare\` or \`stages\`)"`,
    );
    expect(message(() => open(FIXED_BAKE, 'stages[0].checks.max=1..2'))).toMatchInlineSnapshot(
      `"--param stages[0].checks.max=1..2: stages[0].checks is a list, not a mapping"`,
    );
    expect(message(() => open(FIXED_BAKE, 'stages[0].checks[0].judge=1..2'))).toMatchInlineSnapshot(
      `"--param stages[0].checks[0].judge=1..2: stages[0].checks[0].judge is a mapping, not a number or a duration"`,
    );
    expect(message(() => open(FIXED_BAKE, 'stages[0].name=1..2'))).toMatchInlineSnapshot(
      `"--param stages[0].name=1..2: stages[0].name is "first-region" in the policy; only numbers and durations can be tuned"`,
    );
    // A key the file leaves out is added, and the schema says when no such field exists.
    expect(message(() => open(FIXED_BAKE, 'stages[0].checks[0].judge.maxx=0.01..0.02')))
      .toMatchInlineSnapshot(`
      "--param stages[0].checks[0].judge.maxx=0.01..0.02: LOW 0.01 is not a value stages[0].checks[0].judge.maxx accepts:
      policies/fixed-bake.yaml: stages[0].checks[0].judge.maxx: unknown key \`maxx\`; did you mean \`max\`?"
    `);
  });

  it('rejects values outside what the field accepts, naming the bound and the schema issue', () => {
    expect(message(() => open(FIXED_BAKE, 'stages[0].checks[0].failureLimit=-2..3')))
      .toMatchInlineSnapshot(`
      "--param stages[0].checks[0].failureLimit=-2..3: LOW -2 is not a value stages[0].checks[0].failureLimit accepts:
      policies/fixed-bake.yaml: stages[0].checks[0].failureLimit: expected a whole number ≥ -1, got -2"
    `);
    expect(message(() => open(FIXED_BAKE, 'maxBatchShare=0.1..1.5'))).toMatchInlineSnapshot(`
      "--param maxBatchShare=0.1..1.5: HIGH 1.5 is not a value maxBatchShare accepts:
      policies/fixed-bake.yaml: maxBatchShare: expected a share in (0, 1], got 1.5"
    `);
    expect(message(() => open(FIXED_BAKE, 'stages[0].checks[0].interval=0..10m')))
      .toMatchInlineSnapshot(`
      "--param stages[0].checks[0].interval=0..10m: LOW 0m is not a value stages[0].checks[0].interval accepts:
      policies/fixed-bake.yaml: stages[0].checks[0].interval: expected a duration > 0 such as 30s, 10m, 2h or a number of minutes, got "0m""
    `);
    expect(
      message(() => open(FIXED_BAKE, 'stages[0].bake=1h..2h', 'stages[0].bake=1h..3h')),
    ).toMatchInlineSnapshot(
      `"--param stages[0].bake=1h..3h: stages[0].bake is already tuned by --param stages[0].bake=1h..2h"`,
    );
  });

  it('tune() raises the same errors before running a trial', async () => {
    await expect(
      tune({
        policyFile: FIXED_BAKE,
        scenarios: [HEALTHY],
        params: ['stages[9].bake=1..2'],
        trials: 10,
        seed: 1,
      }),
    ).rejects.toThrow(/stages\[9\] does not exist/);
    await expect(
      tune({ policyFile: FIXED_BAKE, scenarios: [HEALTHY], params: [], trials: 10, seed: 1 }),
    ).rejects.toThrow('give at least one --param');
  });

  it('finds whole-number fields by asking the schema, and keeps duration fields as durations', () => {
    const t = open(
      FIXED_BAKE,
      'stages[0].checks[0].failureLimit=0..4',
      'stages[0].bake=30..2h',
      'stages[0].checks[0].judge.max=1..2',
    );
    const [limit, bake, max] = t.params;
    expect(limit).toMatchObject({ unit: 'number', integer: true, original: 2, style: 'number' });
    expect(bake).toMatchObject({
      unit: 'duration',
      integer: false,
      original: 60,
      style: 'duration-string',
    });
    expect(max).toMatchObject({ unit: 'number', integer: false, original: 0.01 });
  });

  it('writes values into the text in place: comments and layout survive byte for byte', () => {
    const text = readFileSync(COMMENTED, 'utf8');
    const t = PolicyTemplate.open(
      text,
      COMMENTED,
      ['stages[0].checks[0].judge.max=0.01..0.03', 'stages[0].bake=10m..1h'].map(parseParamSpec),
      [CLOSED_FORM],
    );
    const out = t.render([0.0125, 45]);
    const expected = text
      .replace(
        'judge: { kind: threshold, max: 0.015 }   # 1.5%',
        'judge: { kind: threshold, max: 0.0125 }   # 1.5%',
      )
      .replace('bake: 30m    # long enough', 'bake: 45m    # long enough');
    expect(expected).not.toBe(text);
    expect(out).toBe(expected);
    // The anchored check changed, so its alias in the last stage reads the new value too:
    // that is what the file says, and why tuning *through* the alias is refused.
    const policy = parsePolicy(out, COMMENTED);
    expect(policy.stages[0]!.bake).toBe(45);
    expect(policy.stages[0]!.checks[0]!.judge.params.max).toBe(0.0125);
    expect(policy.stages[1]!.checks[0]!.judge.params.max).toBe(0.0125);
    expect(
      message(() =>
        PolicyTemplate.open(
          text,
          COMMENTED,
          [parseParamSpec('stages[1].checks[0].judge.max=0.01..0.03')],
          [CLOSED_FORM],
        ),
      ),
    ).toMatchInlineSnapshot(
      `"--param stages[1].checks[0].judge.max=0.01..0.03: stages[1].checks[0] is an alias of &errors; tuning through it would change every copy of the anchor: tune the anchored node's own path, or write the copy out in full"`,
    );
  });

  it('warns when a tuned value is shared through an anchor, naming where the aliases are', () => {
    const text = readFileSync(COMMENTED, 'utf8');
    const t = PolicyTemplate.open(
      text,
      COMMENTED,
      ['stages[0].checks[0].judge.max=0.01..0.03', 'stages[0].bake=10m..1h'].map(parseParamSpec),
      [CLOSED_FORM],
    );
    // checks: [*errors] sits on line 21; the alias starts in column 14.
    expect(text.split('\n')[20]).toBe('    checks: [*errors]');
    expect(t.warnings).toEqual([
      '--param stages[0].checks[0].judge.max=0.01..0.03: stages[0].checks[0].judge.max is inside ' +
        'stages[0].checks[0], which is the anchor &errors, shared by the alias at stages[1].checks[0] ' +
        '(line 21, column 14): tuning it changes that copy too',
    ]);
    // An anchored scalar itself, with two aliases; a key added to an anchored mapping too.
    const scalar = [
      'stages:',
      '  - name: one',
      '    target: { kind: region, region: solo }',
      '    bake: &b 30m',
      '  - name: two',
      '    target: { kind: fleet, share: 0.5 }',
      '    bake: *b',
      '  - name: three',
      '    target: { kind: fleet, share: 1 }',
      '    bake: *b',
      '',
    ].join('\n');
    const s = PolicyTemplate.open(
      scalar,
      'x.yaml',
      [parseParamSpec('stages[0].bake=10m..1h')],
      [CLOSED_FORM],
    );
    expect(s.warnings).toEqual([
      '--param stages[0].bake=10m..1h: stages[0].bake is the anchor &b, shared by 2 aliases at ' +
        'stages[1].bake (line 7, column 11), stages[2].bake (line 10, column 11): tuning it changes those copies too',
    ]);
    // A value no alias shares: no warning.
    expect(open(FIXED_BAKE, 'stages[0].bake=10m..2h').warnings).toEqual([]);
  });

  it('adds a field the file leaves to its default', () => {
    const t = open(FIXED_BAKE, 'stages[0].checks[0].initialDelay=0..10m');
    expect(t.params[0]).toMatchObject({
      original: undefined,
      unit: 'duration',
      style: 'duration-string',
    });
    const policy = t.config([5], 'x');
    expect(policy.stages[0]!.checks[0]!.initialDelay).toBe(5);
    expect(t.render([5])).toContain('# fixed-bake: the classic "canary region"');
  });
});
