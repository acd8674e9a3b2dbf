// A region's threat level from its detection alerts: weights by severity, halving with age,
// the window's edge, levels as fixed score bands, and what does not count (other alerts,
// other regions, alerts without a region).
import { describe, expect, it } from 'vitest';
import type { Alert, Severity } from '../../shared/model.js';
import { DEFAULT_THREAT_OPTIONS, regionThreats, threatLevelOf } from '../../shared/threat-level.js';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;
let n = 0;

function alert(
  ruleId: string,
  regionId: string | null,
  severity: Severity,
  updatedAt: number,
  state: Alert['state'] = 'firing',
): Alert {
  n++;
  return {
    id: `a${n}`,
    ruleId,
    subjectKey: `k${n}`,
    subject: { kind: 'agent', agentId: `ag${n}`, regionId },
    severity,
    state,
    message: '',
    metric: null,
    value: null,
    threshold: null,
    lastValue: null,
    sampleArrivedAt: null,
    createdAt: updatedAt,
    updatedAt,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    resolvedAt: state === 'resolved' ? updatedAt : null,
    resolvedBy: null,
    history: [],
  };
}

describe('regionThreats', () => {
  it('sums severity weights of detection alerts, halving per half-life since each last fired', () => {
    const alerts = [
      alert('detect:brute', 'eu-west-1', 'critical', NOW), // 10
      alert('detect:spray', 'eu-west-1', 'warning', NOW - 6 * HOUR, 'resolved'), // 4 / 2 = 2
      alert('detect:brute', 'eu-west-1', 'info', NOW - 12 * HOUR), // 1 / 4 = 0.25
      alert('cpu-high', 'eu-west-1', 'critical', NOW), // not a detection
      alert('detect:brute', 'us-east-1', 'critical', NOW - 25 * HOUR), // outside the window
      alert('detect:brute', null, 'critical', NOW), // no region
      alert('detect:brute', 'mars-1', 'critical', NOW), // not a listed region
    ];
    const [eu, us] = regionThreats(alerts, ['eu-west-1', 'us-east-1'], NOW);
    expect(eu).toEqual({
      regionId: 'eu-west-1',
      score: 12.3, // 12.25, one decimal
      level: 'elevated',
      detections: 3,
      open: 2,
      bySeverity: { critical: 1, warning: 1, info: 1 },
      topRules: [
        { ruleId: 'brute', count: 2 },
        { ruleId: 'spray', count: 1 },
      ],
      lastDetectionAt: NOW,
    });
    expect(us).toMatchObject({ score: 0, level: 'none', detections: 0, lastDetectionAt: null });
  });

  it('a detection exactly at the window edge still counts; one past it does not', () => {
    const w = DEFAULT_THREAT_OPTIONS.windowMs;
    const [r] = regionThreats(
      [
        alert('detect:x', 'r', 'critical', NOW - w),
        alert('detect:x', 'r', 'critical', NOW - w - 1),
      ],
      ['r'],
      NOW,
    );
    expect(r!.detections).toBe(1);
    expect(r!.score).toBe(0.6); // 10 × 2^-4
  });

  it('levels are fixed score bands, judged on the score as shown', () => {
    expect(threatLevelOf(0)).toBe('none');
    expect(threatLevelOf(0.1)).toBe('low');
    expect(threatLevelOf(4.9)).toBe('low');
    expect(threatLevelOf(5)).toBe('elevated');
    expect(threatLevelOf(15)).toBe('high');
    expect(threatLevelOf(40)).toBe('severe');
    // 4.96 shows as 5.0, so it is elevated, not low.
    // A warning (4) aged so that it weighs 3.96, plus a fresh info (1): 4.96.
    const aged = alert('detect:x', 'r', 'warning', NOW + Math.log2(3.96 / 4) * 6 * HOUR);
    const fresh = alert('detect:y', 'r', 'info', NOW);
    const [r] = regionThreats([aged, fresh], ['r'], NOW);
    expect(r!.score).toBe(5);
    expect(r!.level).toBe('elevated');
  });

  it('keeps the three rules with most episodes, ties by id', () => {
    const alerts = ['d', 'c', 'b', 'a', 'a'].map((id) => alert(`detect:${id}`, 'r', 'info', NOW));
    const [r] = regionThreats(alerts, ['r'], NOW);
    expect(r!.topRules).toEqual([
      { ruleId: 'a', count: 2 },
      { ruleId: 'b', count: 1 },
      { ruleId: 'c', count: 1 },
    ]);
  });
});
