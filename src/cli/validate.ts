import type { AnyConfig } from '../config/index.js';
import {
  checkPolicyAgainstScenario,
  loadAny,
  loadScenario,
  SCENARIO_DEFAULTS,
  scrapeWarnings,
} from '../config/index.js';
import { formatIssues, GatesimError, ValidationError } from '../errors.js';
import type { ScenarioConfig } from '../world/types.js';
import { expandPaths } from './inputs.js';

/** Where `validate` writes: ok lines to `out`, issues to `err`. */
export interface ValidateIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface ValidateOptions {
  /** Extra scenarios every policy must fit (regions, host counts, coverage). */
  scenario?: string[];
}

const processIO: ValidateIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Validates files (or folders of .yaml files) as scenarios or policies, and checks every
 * policy against every scenario among them and in `options.scenario`. Returns the exit code:
 * 0 when everything is valid, 2 otherwise. Expected failures are printed, never thrown.
 * Checks whose window cannot hold the scrapes their query needs (at each scenario's scrape
 * interval, or the default one when no scenario is given) are printed as warnings to `err`;
 * they do not make a file invalid.
 * @example runValidate(['scenarios', 'policies'], {}) // 0 when the library is valid
 */
export function runValidate(
  paths: readonly string[],
  options: ValidateOptions = {},
  io: ValidateIO = processIO,
): number {
  /** What to say about one argument or file, in the order they were given. */
  type Entry = { file: string; result: AnyConfig } | { error: string };
  const describe = (e: unknown): { error: string } => {
    // A ValidationError's message is already `file: path: message` lines.
    if (e instanceof ValidationError) return { error: e.message };
    if (e instanceof GatesimError) return { error: `gatesim: ${e.message}` };
    throw e;
  };
  const load = (list: readonly string[], one: (file: string) => AnyConfig): Entry[] =>
    list.flatMap((p): Entry[] => {
      let files: string[];
      try {
        files = expandPaths([p]);
      } catch (e) {
        return [describe(e)];
      }
      return files.map((file): Entry => {
        try {
          return { file, result: one(file) };
        } catch (e) {
          return describe(e);
        }
      });
    });

  const extra = load(options.scenario ?? [], (f) => ({
    kind: 'scenario',
    config: loadScenario(f),
  }));
  const entries = load(paths, (f) => loadAny(f));
  const against: ScenarioConfig[] = [...extra, ...entries].flatMap((e) =>
    'result' in e && e.result.kind === 'scenario' ? [e.result.config] : [],
  );

  let failed = false;
  for (const e of [...extra.filter((x) => 'error' in x), ...entries]) {
    if ('error' in e) {
      io.err(e.error);
      failed = true;
      continue;
    }
    if (e.result.kind === 'policy') {
      const policy = e.result.config;
      const misfits = against.flatMap((s) => checkPolicyAgainstScenario(policy, s));
      if (misfits.length > 0) {
        io.err(formatIssues(e.file, dedupeIssues(misfits)));
        failed = true;
        continue;
      }
    }
    if (e.result.kind === 'policy') {
      for (const line of windowWarnings(e.file, e.result.config, against)) io.err(line);
    }
    io.out(`ok ${e.file} (${e.result.kind})`);
  }
  return failed ? 2 : 0;
}

/** `warning: file: path: message` lines for checks whose windows hold too few scrapes. */
function windowWarnings(
  file: string,
  policy: Parameters<typeof scrapeWarnings>[0],
  scenarios: readonly ScenarioConfig[],
): string[] {
  const intervals =
    scenarios.length > 0
      ? [...new Set(scenarios.map((s) => s.scrapeInterval))].map((s) => ({ s, note: '' }))
      : [
          {
            s: SCENARIO_DEFAULTS.scrapeInterval,
            note: ' (the default scrape interval; a scenario sets its own with scrapeInterval)',
          },
        ];
  return intervals.flatMap(({ s, note }) =>
    dedupeIssues(scrapeWarnings(policy, s)).map(
      (w) => `warning: ${file}: ${w.path}: ${w.message}${note}`,
    ),
  );
}

function dedupeIssues<T extends { path: string; message: string }>(issues: readonly T[]): T[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
