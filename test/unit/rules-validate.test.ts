import { describe, it, expect } from 'vitest';
import { checkRule } from '../../electron/core/rules/validate-rule.js';
import { parseState, STATE_VERSION } from '../../electron/core/state/schema.js';
import { DEFAULT_RULES } from '../../shared/rules.js';

const threshold = {
  id: 'cpu_hot',
  kind: 'threshold',
  enabled: true,
  description: 'CPU hot',
  metric: 'cpu_usage',
  comparator: 'gt',
  unit: '%',
  warning: 70,
  critical: 90,
  hysteresis: 2,
  forMs: 0,
};

const fields = (value: unknown) => {
  const r = checkRule(value);
  return 'rule' in r ? [] : r.errors.map((e) => e.field);
};

describe('checkRule', () => {
  it('takes every default rule and the new optional fields', () => {
    for (const rule of DEFAULT_RULES) expect(fields(rule)).toEqual([]);
    expect(
      fields({
        ...threshold,
        keepFiringForMs: 60_000,
        runbookUrl: 'https://wiki.example/cpu',
        matchers: { regions: ['eu-west-1'], agentTypes: ['database'], labels: { mount: '/' } },
      }),
    ).toEqual([]);
  });

  it('takes absence and rate_of_change rules', () => {
    expect(
      fields({
        id: 'cpu_gone',
        kind: 'absence',
        enabled: true,
        description: 'cpu stopped',
        metric: 'cpu_usage',
        absentForMs: 300_000,
        severity: 'warning',
      }),
    ).toEqual([]);
    expect(
      fields({
        id: 'disk_growth',
        kind: 'rate_of_change',
        enabled: true,
        description: 'Disk filling fast',
        metric: 'disk_usage',
        unit: '%',
        comparator: 'gt',
        windowMs: 1_800_000,
        warning: 5,
        critical: null,
        hysteresis: 1,
        forMs: 0,
      }),
    ).toEqual([]);
  });

  it('takes a region_aggregate rule and names its bad fields', () => {
    const agg = {
      ...threshold,
      id: 'region_slow',
      kind: 'region_aggregate',
      metric: 'response_time',
      agg: 'p95',
      unit: 'ms',
      warning: 800,
      critical: null,
      windowMs: 120_000,
      matchers: { regions: ['eu-west-1'], agentTypes: ['application'] },
    };
    expect(fields(agg)).toEqual([]);
    expect(fields({ ...agg, agg: 'count' })).toEqual(['agg']);
    expect(fields({ ...agg, windowMs: 30_000 })).toEqual(['windowMs']);
    expect(fields({ ...agg, windowMs: 7_200_000 })).toEqual(['windowMs']);
    expect(fields({ ...agg, warning: null })).toEqual(['warning']);
    expect(fields({ ...agg, matchers: { labels: { a: 'b' } } })).toEqual(['matchers.labels']);
  });

  it('names every bad field, not only the first', () => {
    const r = checkRule({ ...threshold, id: 'Bad Id', metric: '', hysteresis: -1, extra: 1 });
    expect('rule' in r).toBe(false);
    const got = 'rule' in r ? [] : r.errors;
    expect(got.map((e) => e.field).sort()).toEqual(['extra', 'hysteresis', 'id', 'metric']);
    expect(got.find((e) => e.field === 'id')!.message).toMatch(/lower-case/);
    expect(got.find((e) => e.field === 'extra')!.message).toMatch(/not a field/);
  });

  it('names nested fields and bad URLs', () => {
    expect(fields({ ...threshold, matchers: { agentTypes: ['toaster'] } })).toEqual([
      'matchers.agentTypes.0',
    ]);
    expect(fields({ ...threshold, runbookUrl: 'javascript:alert(1)' })).toEqual(['runbookUrl']);
  });

  it('refuses an unknown kind, a non-object and levels that make no sense', () => {
    expect(fields({ ...threshold, kind: 'magic' })).toEqual(['kind']);
    expect(fields([threshold])).toEqual(['']);
    expect(fields({ ...threshold, warning: null, critical: null })).toEqual(['warning']);
    expect(fields({ ...threshold, warning: 90, critical: 70 })).toEqual(['critical']);
    expect(fields({ ...threshold, comparator: 'lt', warning: 90, critical: 70 })).toEqual([]);
    expect(fields({ ...threshold, absentForMs: 1 })).toEqual(['absentForMs']);
  });

  it('an old state.json (rules without the new fields) still loads', () => {
    const old = {
      version: STATE_VERSION,
      regions: [],
      rules: [
        threshold,
        {
          id: 'agent_offline',
          kind: 'agent_offline',
          enabled: true,
          description: 'x',
          severity: 'critical',
        },
      ],
      alerts: [],
      events: [],
    };
    const parsed = parseState(old);
    expect(parsed.state.rules).toHaveLength(2);
    expect(parsed.dropped).toEqual({});
  });
});
