import { coldCacheEffect } from './cold-cache.js';
import { connectionPoolLeakFault } from './connection-pool-leak.js';
import { conversionDropFault } from './conversion-drop.js';
import { crashLoopFault } from './crash-loop.js';
import { dataScaleFault } from './data-scale.js';
import { errorRateFault } from './error-rate.js';
import { latencyFault } from './latency.js';
import { latencySpreadFault } from './latency-spread.js';
import { memoryLeakFault } from './memory-leak.js';
import { rollbackBreakerFault } from './rollback-breaker.js';
import type { FaultModel } from './types.js';

/** Every fault family by kind; loaders and the world read this registry by name. */
export const FAULTS: Readonly<Record<string, FaultModel>> = {
  [errorRateFault.kind]: errorRateFault,
  [latencyFault.kind]: latencyFault,
  [latencySpreadFault.kind]: latencySpreadFault,
  [memoryLeakFault.kind]: memoryLeakFault,
  [connectionPoolLeakFault.kind]: connectionPoolLeakFault,
  [dataScaleFault.kind]: dataScaleFault,
  [conversionDropFault.kind]: conversionDropFault,
  [crashLoopFault.kind]: crashLoopFault,
  [rollbackBreakerFault.kind]: rollbackBreakerFault,
  [coldCacheEffect.kind]: coldCacheEffect,
};
