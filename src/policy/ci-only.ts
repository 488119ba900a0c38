import type { PolicyConfig } from './types.js';

/**
 * Whether a policy ships on CI's word alone: nothing after CI can stop its build. A check
 * stops one (in a stage or the watch) unless it is a dry run, which only records; a rollback
 * drill stops one it finds cannot be rolled back. Approvals and deploy windows only delay.
 */
export function shipsOnCiAlone(policy: PolicyConfig): boolean {
  if (policy.rollbackDrill !== undefined) return false;
  const checks = [...policy.stages.flatMap((s) => s.checks), ...(policy.watch?.checks ?? [])];
  return checks.every((c) => c.dryRun);
}

/**
 * The policy others are measured against by default: the first that ships on CI's word alone,
 * so a comparison reads as what each gate buys and costs over no gate at all. Undefined when
 * every policy gates.
 */
export function ciOnlyReference(policies: readonly PolicyConfig[]): string | undefined {
  return policies.find(shipsOnCiAlone)?.name;
}
