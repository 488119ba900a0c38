/**
 * Preloaded (`node --import`) into a child the bench times: at exit it writes the process's
 * CPU time, every thread included (its workers and V8's own compiler and GC threads), as a
 * line appended to the file named by GATESIM_BENCH_CPU_FILE, so the bench can say how many
 * cores a run kept busy and not only how long it took.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.GATESIM_BENCH_CPU_FILE;
if (file !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    // One line per process: a run that restarts itself (see cli/v8-threads.ts) adds two.
    appendFileSync(file, JSON.stringify({ pid: process.pid, cpuSeconds }) + '\n');
  });
}
