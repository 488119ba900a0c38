#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { GatesimError } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { exitWithParent, rerunSingleThreaded, wantsSingleThreadedV8 } from './v8-threads.js';

// A run restarted under single-threaded V8 (below) ends when the process that started it ends.
exitWithParent();

// A reader that stops early (`gatesim explain … | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/** The gatesim command line: thin; every command calls the library. */
const program = new Command();
program
  .name('gatesim')
  .description(
    'simulate deployment gate policies: how often they ship bad builds, block good ones, and what it costs',
  )
  .version('0.1.0')
  .showHelpAfterError();
registerCommands(program);

// Commands with a worker pool that fills every core run with V8's background threads off
// (see v8-threads.ts): this process restarts the command once that way and passes on its exit.
program.hook('preAction', async (_program, command) => {
  const opts = command.opts<{ workers?: number | string }>();
  if (!command.options.some((o) => o.long === '--workers')) return;
  const workers =
    opts.workers === undefined ? availableParallelism() : Number.parseInt(String(opts.workers), 10);
  if (!Number.isFinite(workers) || !wantsSingleThreadedV8(workers)) return;
  let code: number;
  try {
    code = await rerunSingleThreaded();
  } catch {
    return; // No child (it could not be started): run here, with V8's threads on.
  }
  process.exit(code);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Expected failures print their message and exit 2. Anything else is a bug: exit 1 with its
  // stack (an exception inside a trial leads with the trial and the command that replays it).
  if (e instanceof GatesimError) {
    process.stderr.write(`gatesim: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`gatesim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
