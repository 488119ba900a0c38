/**
 * `--param 'PATH=LOW..HIGH[:STEPS|log]'`: which policy field to tune and over what range.
 * LOW and HIGH are numbers (`0.005..0.02`) or durations (`10m..2h`, kept in minutes).
 */
import { GatesimError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { formatPath, parsePath, type PathKey } from './path.js';

/** A parameter as written on the command line, before it is checked against the policy. */
export interface ParamSpec {
  /** The `--param` text as given, for messages. */
  text: string;
  /** The path, normalised (`stages[0].bake`). */
  path: string;
  keys: PathKey[];
  /** The range in the field's units (minutes for durations). */
  low: number;
  high: number;
  /** Grid points including both ends; undefined: the tuner's default. */
  steps: number | undefined;
  /** Space the values evenly on a log scale (LOW must be > 0). */
  log: boolean;
  /** LOW or HIGH carried a unit (`10m`), so the field is a duration. */
  durationWritten: boolean;
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function parseBound(
  text: string,
  which: string,
  context: string,
): { value: number; unit: boolean } {
  const t = text.trim();
  if (NUMBER_RE.test(t)) return { value: Number(t), unit: false };
  const minutes = parseDuration(t);
  if (minutes !== undefined) return { value: minutes, unit: true };
  throw new GatesimError(
    'bad-param',
    `${context}: ${which} "${t}" is neither a number nor a duration such as 30s, 10m or 2h`,
  );
}

/** The largest grid a single parameter may ask for: beyond it the tuner is the wrong tool. */
export const MAX_STEPS = 1000;

/**
 * Parses one `--param`.
 * @example parseParamSpec('stages[0].checks[0].judge.max=0.005..0.02:16')
 * @throws GatesimError saying which part is wrong.
 */
export function parseParamSpec(text: string): ParamSpec {
  const context = `--param ${text}`;
  const eq = text.indexOf('=');
  if (eq < 0)
    throw new GatesimError(
      'bad-param',
      `${context}: expected PATH=LOW..HIGH[:STEPS|log], e.g. stages[0].checks[0].judge.max=0.005..0.02:16`,
    );
  const keys = parsePath(text.slice(0, eq), context);
  const m = /^(.+?)\.\.([^:]+)((?::[^:]*)*)$/.exec(text.slice(eq + 1).trim());
  if (m === null)
    throw new GatesimError(
      'bad-param',
      `${context}: expected a range LOW..HIGH after "=", e.g. 0.005..0.02 or 10m..2h`,
    );
  const lo = parseBound(m[1]!, 'LOW', context);
  const hi = parseBound(m[2]!, 'HIGH', context);
  let steps: number | undefined;
  let log = false;
  for (const opt of m[3]!.split(':').slice(1)) {
    const o = opt.trim();
    if (o === 'log') {
      if (log) throw new GatesimError('bad-param', `${context}: "log" given twice`);
      log = true;
    } else if (/^\d+$/.test(o)) {
      if (steps !== undefined) throw new GatesimError('bad-param', `${context}: STEPS given twice`);
      steps = Number(o);
      if (steps < 2 || steps > MAX_STEPS)
        throw new GatesimError(
          'bad-param',
          `${context}: STEPS must be a whole number in [2, ${MAX_STEPS}], got ${o}`,
        );
    } else {
      throw new GatesimError(
        'bad-param',
        `${context}: expected ":STEPS" (a whole number ≥ 2) or ":log" after the range, got ":${o}"`,
      );
    }
  }
  if (!(lo.value < hi.value))
    throw new GatesimError(
      'bad-param',
      `${context}: expected LOW < HIGH, got ${m[1]!.trim()}..${m[2]!.trim()}`,
    );
  if (log && !(lo.value > 0))
    throw new GatesimError(
      'bad-param',
      `${context}: a log range needs LOW > 0, got ${m[1]!.trim()}`,
    );
  return {
    text,
    path: formatPath(keys),
    keys,
    low: lo.value,
    high: hi.value,
    steps,
    log,
    durationWritten: lo.unit || hi.unit,
  };
}
