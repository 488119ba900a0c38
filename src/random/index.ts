export { streamFor, TrialStreams, type RandomStream, type StreamKey } from './stream.js';
export {
  uniform,
  exponential,
  normal,
  lognormal,
  bernoulli,
  weightedIndex,
  weightedChoice,
  poisson,
  binomial,
} from './samplers.js';
