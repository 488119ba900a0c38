/** Helpers for teams' own test suites: `simulate` and the vitest/Jest matchers. */
export { simulate, type Simulation, type SimulateOptions } from './simulate.js';
export {
  gatesimMatchers,
  installMatchers,
  type GatesimMatchers,
  type MatcherResult,
} from './matchers.js';
