import { describe, expect, it } from 'vitest';
import type { DeployDecision } from '../../../src/backtest/replay.js';
import { renderDecisionsCsv } from '../../../src/backtest/report.js';
import type { BacktestResult } from '../../../src/backtest/run.js';

describe('decisions.csv', () => {
  it('neutralises text cells that would start a spreadsheet formula (OWASP CSV injection); numbers stay numbers', () => {
    const decision = {
      deploy: '=HYPERLINK("http://x","y")',
      version: '@SUM(1)',
      start: 0,
      final: 'rolled-back',
      stageReached: 'canary',
      detectedBy: '-errors',
      decidedAt: -0.5,
      shippedAt: undefined,
      endAt: 10,
      measurements: [],
      timeline: [],
    } as unknown as DeployDecision;
    const csv = renderDecisionsCsv({
      decisions: [decision],
      incidents: undefined,
    } as unknown as BacktestResult);
    const row = csv.split('\n')[1]!;
    expect(row.startsWith(`"'=HYPERLINK(""http://x"",""y"")",'@SUM(1),`)).toBe(true);
    expect(row).toContain(",'-errors,");
    expect(row).toContain(',-0.5,');
  });
});
