/**
 * Whether a command's run should restart itself under `node --single-threaded`.
 *
 * Every worker thread is a V8 isolate that compiles hot code and collects garbage on V8's own
 * background threads. With a core to spare (one worker on two cores) that work is free; when
 * the worker pool fills every core it only competes with the workers. Measured on the 2-core
 * bench machine (alternating runs), the built-in suite at 200 trials on 2 workers took
 * 16.0–17.9 s with V8's background threads off and 17.6–19.6 s with them on, with 10% less
 * CPU; at 600 trials 37.4–37.9 s against 39.1–39.6 s (`npm run bench` reports both). So a run
 * whose pool fills the cores restarts once with them off. Results never depend on it; set
 * GATESIM_KEEP_V8_THREADS=1 to keep them.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';

/** True when a pool of `workers` threads would leave no core idle and V8 still runs its own threads. */
export function wantsSingleThreadedV8(
  workers: number,
  cores: number = availableParallelism(),
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return (
    workers >= 2 &&
    workers >= cores &&
    !execArgv.includes('--single-threaded') &&
    env.GATESIM_KEEP_V8_THREADS !== '1'
  );
}

/**
 * Runs this same command line again under `node --single-threaded`, with the terminal and
 * environment as they are, and resolves with its exit code once it ends (128 + the signal's
 * number when a signal ended it); rejects only when the child could not be started. SIGINT
 * and SIGTERM sent to this process are passed on, so stopping either process stops the run;
 * reports are written atomically either way.
 */
export function rerunSingleThreaded(): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--single-threaded', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal === null ? 1 : (constants.signals[signal] ?? 1)));
    });
  });
}
