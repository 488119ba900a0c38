/** Loading and validating scenario and policy files. */
export {
  parseScenario,
  parsePolicy,
  parseAny,
  parseYaml,
  loadScenario,
  loadPolicy,
  loadAny,
  detectKind,
  configName,
  leadingComment,
  readConfigFile,
  type AnyConfig,
  type LoadOptions,
} from './load.js';
export { checkPolicyAgainstScenario } from './cross-checks.js';
export { scrapeWarnings, shortestWindow } from './scrape-check.js';
export { liveRegistries, type Registries } from './registries.js';
export { SCENARIO_DEFAULTS, type ScenarioBody } from './scenario-schema.js';
export { POLICY_DEFAULTS, type PolicyBody } from './policy-schema.js';
export { closest, didYouMean, editDistance } from './suggest.js';
