import { runChunk, type ChunkResult, type ChunkTask } from './chunk.js';

/** Piscina worker entry: one chunk of trials per task. */
export default function run(task: ChunkTask): ChunkResult {
  return runChunk(task);
}
