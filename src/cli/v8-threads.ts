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
 *
 * The child must die with its parent: a CI timeout kills only the process it started, with
 * SIGKILL, which cannot be caught or passed on. So the child holds an IPC channel to the parent
 * and exits when it closes, and it publishes an output only while the parent is still its
 * parent (the writer checks `process.ppid` against PARENT_PID_ENV right before its rename): a
 * caller that saw the parent killed never sees a report appear afterwards.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';

/**
 * The variable through which the parent tells the child its pid (the output writer reads the same
 * name, src/report/output-folder.ts; this module stays light, so it repeats it and a test checks).
 */
export const PARENT_PID_ENV = 'GATESIM_PARENT_PID';

/** Exit code of a child that stops because its parent died (nobody reads it; 128 + SIGKILL). */
const PARENT_GONE_EXIT = 137;

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
    {
      // The IPC channel closes when this process dies, however it dies: the child watches it.
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [PARENT_PID_ENV]: String(process.pid) },
    },
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

/**
 * In a child started by `rerunSingleThreaded`: exits as soon as the parent is gone (its IPC
 * channel closes), without publishing anything. Does nothing in any other process.
 */
export function exitWithParent(env: NodeJS.ProcessEnv = process.env): void {
  const parent = env[PARENT_PID_ENV];
  if (parent === undefined || parent === '') return;
  const gone = (): void => process.exit(PARENT_GONE_EXIT);
  if (process.ppid !== Number(parent)) gone();
  if (process.channel !== undefined) {
    process.once('disconnect', gone);
    // The channel is only watched: it must not keep this process alive once the work is done.
    process.channel.unref();
  }
}
