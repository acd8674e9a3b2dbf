import { describe, it, expect } from 'vitest';
import { breachOf, formatValue, isCleared } from '../../electron/core/incidents/thresholds.js';
import type { ThresholdRule } from '../../shared/rules.js';

function rule(over: Partial<ThresholdRule> = {}): ThresholdRule {
  return {
    id: 'cpu_usage',
    kind: 'threshold',
    enabled: true,
    description: 'CPU busy',
    metric: 'cpu_usage',
    comparator: 'gt',
    unit: '%',
    warning: 80,
    critical: 95,
    hysteresis: 5,
    forMs: 0,
    ...over,
  };
}

describe('breachOf', () => {
  describe('gt rule (warning 80, critical 95)', () => {
    const r = rule();

    it('returns null at or below the warning level', () => {
      expect(breachOf(r, 50)).toBeNull();
      expect(breachOf(r, 80)).toBeNull();
    });

    it('returns warning just above the warning level', () => {
      expect(breachOf(r, 80.01)).toEqual({ severity: 'warning', threshold: 80 });
      expect(breachOf(r, 95)).toEqual({ severity: 'warning', threshold: 80 });
    });

    it('returns critical above the critical level', () => {
      expect(breachOf(r, 95.5)).toEqual({ severity: 'critical', threshold: 95 });
      expect(breachOf(r, 1000)).toEqual({ severity: 'critical', threshold: 95 });
    });
  });

  describe('lt rule (warning 20, critical 10)', () => {
    const r = rule({ comparator: 'lt', warning: 20, critical: 10, hysteresis: 2 });

    it('returns null at or above the warning level', () => {
      expect(breachOf(r, 20)).toBeNull();
      expect(breachOf(r, 50)).toBeNull();
    });

    it('returns warning between the levels', () => {
      expect(breachOf(r, 19.9)).toEqual({ severity: 'warning', threshold: 20 });
      expect(breachOf(r, 10)).toEqual({ severity: 'warning', threshold: 20 });
    });

    it('returns critical below the critical level', () => {
      expect(breachOf(r, 9.9)).toEqual({ severity: 'critical', threshold: 10 });
      expect(breachOf(r, -5)).toEqual({ severity: 'critical', threshold: 10 });
    });
  });

  describe('null levels', () => {
    it('a rule with only a warning level never reports critical', () => {
      const r = rule({ warning: 1000, critical: null, unit: 'ms', hysteresis: 100 });
      expect(breachOf(r, 999)).toBeNull();
      expect(breachOf(r, 1001)).toEqual({ severity: 'warning', threshold: 1000 });
      expect(breachOf(r, 1e9)).toEqual({ severity: 'warning', threshold: 1000 });
    });

    it('a rule with only a critical level never reports warning', () => {
      const r = rule({ warning: null, critical: 95 });
      expect(breachOf(r, 90)).toBeNull();
      expect(breachOf(r, 96)).toEqual({ severity: 'critical', threshold: 95 });
    });

    it('a rule with no levels never breaches', () => {
      const r = rule({ warning: null, critical: null });
      expect(breachOf(r, 1e9)).toBeNull();
      expect(breachOf(r, -1e9)).toBeNull();
    });
  });
});

describe('isCleared', () => {
  it('gt: clears only at or below the lowest level minus hysteresis', () => {
    const r = rule(); // warning 80, critical 95, hysteresis 5 -> clears at <= 75
    expect(isCleared(r, 96)).toBe(false);
    expect(isCleared(r, 80)).toBe(false);
    expect(isCleared(r, 79.9)).toBe(false);
    expect(isCleared(r, 77)).toBe(false);
    expect(isCleared(r, 75.01)).toBe(false);
    expect(isCleared(r, 75)).toBe(true);
    expect(isCleared(r, 70)).toBe(true);
  });

  it('gt with only a critical level uses it as the line', () => {
    const r = rule({ warning: null, critical: 95, hysteresis: 5 });
    expect(isCleared(r, 91)).toBe(false);
    expect(isCleared(r, 90)).toBe(true);
  });

  it('gt with zero hysteresis clears at the threshold itself', () => {
    const r = rule({ hysteresis: 0 });
    expect(isCleared(r, 80.001)).toBe(false);
    expect(isCleared(r, 80)).toBe(true);
  });

  it('lt: clears only at or above the highest level plus hysteresis', () => {
    const r = rule({ comparator: 'lt', warning: 20, critical: 10, hysteresis: 2 });
    expect(isCleared(r, 5)).toBe(false);
    expect(isCleared(r, 20)).toBe(false);
    expect(isCleared(r, 21.9)).toBe(false);
    expect(isCleared(r, 22)).toBe(true);
    expect(isCleared(r, 40)).toBe(true);
  });

  it('a rule with no levels is always cleared', () => {
    expect(isCleared(rule({ warning: null, critical: null }), 1e9)).toBe(true);
  });
});

describe('formatValue', () => {
  it('percent values get one decimal below 100 and no space', () => {
    expect(formatValue(85, '%')).toBe('85.0%');
    expect(formatValue(97.25, '%')).toBe('97.3%');
    expect(formatValue(0, '%')).toBe('0.0%');
  });

  it('values of 100 or more are rounded to an integer', () => {
    expect(formatValue(100, '%')).toBe('100%');
    expect(formatValue(1234.56, 'ms')).toBe('1235 ms');
    expect(formatValue(-150.4, 'ms')).toBe('-150 ms');
  });

  it('other units are separated by a space; no unit, no suffix', () => {
    expect(formatValue(12.34, 'ms')).toBe('12.3 ms');
    expect(formatValue(42, '')).toBe('42.0');
    expect(formatValue(-3.21, '')).toBe('-3.2');
  });
});
