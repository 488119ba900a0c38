#!/usr/bin/env node
/**
 * `npm run bench`: speed and memory figures, each next to a naive baseline measured in the
 * same run, printed and written to reports/bench.json. Wall-clock time is allowed here only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { holdModelEngine, holdModelNaive } from './engine.js';

interface Figure {
  key: string;
  value: number;
  unit: string;
  goal?: string;
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const add = (key: string, value: number, unit: string, goal?: string): void => {
    figures.push(goal === undefined ? { key, value, unit } : { key, value, unit, goal });
    process.stdout.write(
      `${key.padEnd(28)} ${value.toLocaleString('en-US', { maximumFractionDigits: 2 }).padStart(16)} ${unit}${goal !== undefined ? `   (goal: ${goal})` : ''}\n`,
    );
  };

  // Warm up the JIT, then measure.
  holdModelEngine(10_000, 200_000);
  const engine = holdModelEngine(10_000, 3_000_000);
  holdModelNaive(10_000, 20_000);
  const naive = holdModelNaive(10_000, 200_000);
  const bisect = holdModelNaive(10_000, 200_000, true);
  add('engineEventsPerSec', Math.round(engine), 'events/s', '≥ 2,000,000 on one core');
  add('naiveEventsPerSec', Math.round(naive), 'events/s (ordered list, linear insertion)');
  add('engineSpeedupVsNaive', engine / naive, '×', '≥ 20');
  add(
    'sortedArrayBisectEventsPerSec',
    Math.round(bisect),
    'events/s (sorted array, binary-search insertion)',
  );
  add('engineSpeedupVsBisect', engine / bisect, '×');

  const out = resolve('reports/bench.json');
  await mkdir(resolve('reports'), { recursive: true });
  const json: Record<string, number> = {};
  for (const f of figures) json[f.key] = f.value;
  await writeFile(out, JSON.stringify(json, null, 2) + '\n');
  process.stdout.write(`\nwritten to ${out}\n`);
}

await main();
