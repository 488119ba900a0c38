/**
 * Preloaded (`node --import`) into a child the bench times: at exit it writes the process's
 * CPU time, every thread included (its workers and V8's own compiler and GC threads), to
 * the file named by GATESIM_BENCH_CPU_FILE, so the bench can say how many cores a run kept
 * busy and not only how long it took.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.GATESIM_BENCH_CPU_FILE;
if (file !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }),
    );
  });
}
