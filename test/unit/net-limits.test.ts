import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { AuthThrottle } from '../../electron/core/ingest/auth-throttle.js';
import { parseOpenFilesLimit } from '../../electron/core/net/fd-limit.js';
import { ASSUMED_FD_LIMIT, deriveNetLimits } from '../../electron/core/net/limits.js';

const LIMITS_TEXT = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('the open-files limit', () => {
  it('reads the soft limit from /proc/<pid>/limits', () => {
    expect(parseOpenFilesLimit(LIMITS_TEXT)).toBe(1024);
  });
  it('is unknown when unlimited or missing', () => {
    expect(parseOpenFilesLimit(LIMITS_TEXT.replace('1024 ', 'unlimited '))).toBeNull();
    expect(parseOpenFilesLimit('Max cpu time unlimited unlimited seconds\n')).toBeNull();
  });
});

describe('connection caps from the open-files limit', () => {
  it.each([256, 1024, 20_000, 1_048_576])(
    'at %i descriptors the caps and the reserve fit under the limit',
    (fds) => {
      const l = deriveNetLimits(fds);
      const used =
        l.fdReserve +
        l.apiMaxConnections +
        l.ingestMaxUnauthenticated +
        l.ingestMaxAgentConnections;
      expect(used).toBeLessThanOrEqual(fds);
      expect(l.fdReserve).toBeGreaterThanOrEqual(64);
      expect(l.apiMaxConnections).toBeGreaterThanOrEqual(8);
      expect(l.ingestMaxUnauthenticatedPerSource).toBeLessThanOrEqual(l.ingestMaxUnauthenticated);
      expect(l.overBudget).toBeNull();
    },
  );

  it('gives agents most of a large limit, and bounds the handshake and API caps', () => {
    const l = deriveNetLimits(20_000);
    expect(l.apiMaxConnections).toBe(256);
    expect(l.ingestMaxUnauthenticated).toBe(1_024);
    expect(l.ingestMaxAgentConnections).toBeGreaterThan(15_000);
  });

  it('assumes a limit where it cannot be read', () => {
    const l = deriveNetLimits(null);
    expect(l.fdLimit).toBe(ASSUMED_FD_LIMIT);
    expect(l.fdLimitKnown).toBe(false);
  });

  it('takes explicit settings, and says when they promise more than the limit', () => {
    const l = deriveNetLimits(1024, { ingestMaxAgentConnections: 5_000, authCooldownMs: 5_000 });
    expect(l.ingestMaxAgentConnections).toBe(5_000);
    expect(l.authCooldownMs).toBe(5_000);
    expect(l.overBudget).toMatch(/open-files limit is 1024/);
  });
});

describe('wrong-token cool-down per source', () => {
  const opts = { failuresBeforeCooldown: 3, windowMs: 10_000, cooldownMs: 30_000 };

  it('blocks a source after N failures in the window, for the cool-down', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(clock, opts);
    expect(t.failed('10.0.0.9')).toBe(false);
    expect(t.failed('10.0.0.9')).toBe(false);
    expect(t.blockedForMs('10.0.0.9')).toBe(0);
    expect(t.failed('10.0.0.9')).toBe(true);
    expect(t.blockedForMs('10.0.0.9')).toBe(30_000);
    expect(t.blockedForMs('10.0.0.8')).toBe(0);
    clock.advance(29_999);
    expect(t.blockedForMs('10.0.0.9')).toBe(1);
    clock.advance(1);
    expect(t.blockedForMs('10.0.0.9')).toBe(0);
  });

  it('forgets failures older than the window, and all of them on a success', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(clock, opts);
    t.failed('a');
    t.failed('a');
    clock.advance(10_000);
    expect(t.failed('a')).toBe(false); // a new window
    t.failed('a');
    t.succeeded('a');
    expect(t.failed('a')).toBe(false);
  });

  it('remembers a bounded number of sources', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(clock, { ...opts, failuresBeforeCooldown: 1, maxSources: 2 });
    t.failed('a');
    t.failed('b');
    t.failed('c');
    expect(t.blockedForMs('a')).toBe(0); // forgotten, the oldest
    expect(t.blockedForMs('c')).toBe(30_000);
  });
});
