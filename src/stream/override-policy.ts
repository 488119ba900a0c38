import type { PolicyConfig } from '../policy/types.js';

/**
 * What a team runs when it overrides a gate ("promote anyway", as `kubectl argo rollouts
 * promote --full` skips every remaining step and analysis): the policy's stages and deploy
 * windows with no CI tests, no rollback drill, no checks, bakes or approvals, and no watch. Its
 * trial still rolls the build out batch by batch and counts the customer impact it causes.
 */
export function overridePolicy(policy: PolicyConfig): PolicyConfig {
  return {
    ...policy,
    name: `${policy.name}+override`,
    ciTests: {},
    rollbackDrill: undefined,
    stages: policy.stages.map((s) => ({
      ...s,
      bake: 0,
      checks: [],
      approval: { kind: 'automatic' },
    })),
    watch: undefined,
    onInconclusive: 'continue',
  };
}

/**
 * What an emergency revert runs when the scenario allows one (`stream.emergencyRevert`): the
 * override's rollout, outside any deploy window too — an incident's fix waits for no freeze.
 */
export function emergencyPolicy(policy: PolicyConfig): PolicyConfig {
  const o = overridePolicy(policy);
  return {
    ...o,
    name: `${policy.name}+emergency`,
    stages: o.stages.map((s) => ({ ...s, deployWindows: [] })),
  };
}
