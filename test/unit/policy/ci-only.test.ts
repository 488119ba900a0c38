import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/config/index.js';
import { ciOnlyReference, shipsOnCiAlone } from '../../../src/policy/ci-only.js';
import type { PolicyConfig } from '../../../src/policy/types.js';

const BUILT_IN = join(import.meta.dirname, '../../../policies');

async function builtIns(): Promise<PolicyConfig[]> {
  const files = readdirSync(BUILT_IN).filter((f) => f.endsWith('.yaml'));
  return Promise.all(files.map((f) => loadPolicy(join(BUILT_IN, f))));
}

describe('shipsOnCiAlone', () => {
  it('holds for green-ci-only and for no other built-in policy', async () => {
    const alone = (await builtIns()).filter(shipsOnCiAlone).map((p) => p.name);
    expect(alone).toEqual(['green-ci-only']);
  });

  it('ignores dry-run checks, which only record, and counts a rollback drill as a gate', async () => {
    const all = await builtIns();
    const argo = all.find((p) => p.name === 'argo-canary')!;
    const dry: PolicyConfig = {
      ...argo,
      stages: argo.stages.map((s) => ({
        ...s,
        checks: s.checks.map((c) => ({ ...c, dryRun: true })),
      })),
      watch: argo.watch && {
        ...argo.watch,
        checks: argo.watch.checks.map((c) => ({ ...c, dryRun: true })),
      },
    };
    expect(shipsOnCiAlone(argo)).toBe(false);
    expect(shipsOnCiAlone(dry)).toBe(true);
    expect(
      shipsOnCiAlone({ ...dry, rollbackDrill: { duration: 30, detectProbability: 0.9 } }),
    ).toBe(false);
  });
});

describe('ciOnlyReference', () => {
  it('is the first policy that ships on CI alone, whatever its name, or none', async () => {
    const all = await builtIns();
    const green = all.find((p) => p.name === 'green-ci-only')!;
    const gated = all.filter((p) => p !== green);
    expect(ciOnlyReference(all)).toBe('green-ci-only');
    expect(ciOnlyReference([...gated, { ...green, name: 'ship-on-green' }, green])).toBe(
      'ship-on-green',
    );
    expect(ciOnlyReference(gated)).toBeUndefined();
  });
});
