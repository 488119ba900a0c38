/**
 * Shared helpers for the importer tests: reading fixtures, and checking every imported policy
 * against the policy loader (src/config's parsePolicy) so an importer cannot drift from the format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { ImportResult, SourceText } from '../../../src/import/index.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/import/', import.meta.url));

/** A fixture file under test/fixtures/import/, named as the importer will name it in messages. */
export function fixture(path: string): SourceText {
  return { name: path, text: readFileSync(FIXTURES + path, 'utf8') };
}

/** An in-memory source file. */
export function source(name: string, text: string): SourceText {
  return { name, text };
}

type ParsePolicy = (text: string, file: string) => { stages: unknown[] } & Record<string, unknown>;

const configModule = fileURLToPath(new URL('../../../src/config/index.ts', import.meta.url));

/** The policy loader, when src/config provides it (it is written alongside the importers). */
export async function loader(): Promise<ParsePolicy | undefined> {
  if (!existsSync(configModule)) return undefined;
  const mod = (await import(configModule)) as { parsePolicy?: ParsePolicy };
  if (typeof mod.parsePolicy !== 'function')
    throw new Error('src/config/index.ts exports no parsePolicy');
  return mod.parsePolicy;
}

/** The imported YAML as plain data (what a person reading the file sees). */
export function plain(r: ImportResult): PlainPolicy {
  return parse(r.text) as PlainPolicy;
}

/** Checks the imported text with the real policy loader and returns what it loaded. */
export async function expectLoads(
  r: ImportResult,
  name = 'imported.yaml',
): Promise<Record<string, unknown> | undefined> {
  const parsePolicy = await loader();
  if (parsePolicy === undefined) {
    // Until the loader exists, at least the shape the brief describes.
    const p = plain(r);
    expect(Array.isArray(p.stages)).toBe(true);
    return undefined;
  }
  return parsePolicy(r.text, name);
}

export interface PlainCheck {
  name: string;
  metric: string;
  judge: { kind: string; min?: number; max?: number };
  interval: string;
  initialDelay?: string;
  count?: number;
  window?: string;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  consecutiveSuccessLimit?: number;
  failedChecksThreshold?: number;
  minSample?: number;
  onMissingData?: string;
  dryRun?: boolean;
  background?: boolean;
  scope?: string;
  compare?: string;
}

export interface PlainStage {
  name: string;
  target: { kind: string; share?: number; weight?: number };
  bake: string;
  approval: string | { kind: string; delay: Record<string, unknown> };
  checks: PlainCheck[];
}

export interface PlainPolicy {
  description: string;
  maxBatchShare?: number;
  rollback?: { minutesPerBatch: string; maxBatchShare: number };
  onInconclusive?: string;
  stages: PlainStage[];
  watch?: { duration: string; checks: PlainCheck[] };
}
