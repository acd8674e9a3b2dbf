import type { Clock } from '../clock.js';

export interface AuthThrottleOptions {
  failuresBeforeCooldown: number;
  windowMs: number;
  cooldownMs: number;
  /** Bound on the addresses remembered; the oldest is forgotten beyond it. */
  maxSources?: number;
}

interface SourceRecord {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

const DEFAULT_MAX_SOURCES = 10_000;

/**
 * Wrong agent tokens, per source address: after `failuresBeforeCooldown` failures within
 * `windowMs`, the address is refused (429) for `cooldownMs` without its token being checked,
 * so guessing the token costs one cool-down per few guesses. A success clears the record.
 */
export class AuthThrottle {
  private readonly sources = new Map<string, SourceRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: AuthThrottleOptions,
  ) {}

  /** ms this source must still wait, or 0 when it may try. */
  blockedForMs(source: string): number {
    const record = this.sources.get(source);
    if (!record) return 0;
    return Math.max(0, record.blockedUntil - this.clock.monotonic());
  }

  /** A wrong or missing token. Returns true when this failure started a cool-down. */
  failed(source: string): boolean {
    const now = this.clock.monotonic();
    let record = this.sources.get(source);
    if (!record || now - record.windowStart >= this.opts.windowMs) {
      record = { windowStart: now, failures: 0, blockedUntil: record?.blockedUntil ?? 0 };
    }
    record.failures++;
    // Re-inserted so that Map order is least recently failed first, for eviction.
    this.sources.delete(source);
    this.sources.set(source, record);
    if (this.sources.size > (this.opts.maxSources ?? DEFAULT_MAX_SOURCES)) {
      this.sources.delete(this.sources.keys().next().value!);
    }
    if (record.failures < this.opts.failuresBeforeCooldown) return false;
    record.blockedUntil = now + this.opts.cooldownMs;
    record.windowStart = now;
    record.failures = 0;
    return true;
  }

  succeeded(source: string): void {
    this.sources.delete(source);
  }
}
