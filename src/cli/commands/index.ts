/**
 * Every gatesim command, registered lightly: each file here declares a command's arguments and
 * options and imports the command's code only when it runs.
 */
import type { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerCheck } from './check.js';
import { registerCompare } from './compare.js';
import { registerConvert } from './convert.js';
import { registerExplain } from './explain.js';
import { registerImport } from './import.js';
import { registerMerge } from './merge.js';
import { registerRecommend } from './recommend.js';
import { registerStream } from './stream.js';
import { registerTune } from './tune.js';
import { registerValidate } from './validate.js';

export function registerCommands(program: Command): void {
  registerCompare(program);
  registerMerge(program);
  registerExplain(program);
  registerValidate(program);
  registerImport(program);
  registerBacktest(program);
  registerTune(program);
  registerCheck(program);
  registerConvert(program);
  registerRecommend(program);
  registerStream(program);
}
