import { runStreamTask, type StreamTask, type StreamTaskResult } from './task.js';

/** Piscina worker entry: one stream under every variant of its task. */
export default function run(task: StreamTask): StreamTaskResult {
  return runStreamTask(task);
}
