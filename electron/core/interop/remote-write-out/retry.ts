// How a remote-write request's answer is treated, and how long to wait before the next try
// (Prometheus' queue manager does the same: 5xx and 429 are retried with backoff, honouring
// Retry-After; any other 4xx would fail again as sent, so it is dropped and counted).

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** A Retry-After longer than this is cut to it: a receiver cannot park the queue for days. */
  maxRetryAfterMs: number;
}

/** Prometheus' own defaults are 30 ms and 5 s: a store back from an outage is found within 5 s. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  minMs: 250,
  maxMs: 5_000,
  maxRetryAfterMs: 5 * 60_000,
};

export type Verdict = 'sent' | 'retry' | 'drop';

export function verdict(status: number): Verdict {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 429 || status >= 500) return 'retry';
  return 'drop';
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before try `attempt + 1` (attempt counts from 0): doubling, capped. */
export function backoffDelay(
  attempt: number,
  retryAfter: number | null,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  if (retryAfter !== null) return Math.min(retryAfter, opts.maxRetryAfterMs);
  return Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt, 30));
}

/** FNV-1a over a series' labels: the same series always goes to the same shard. */
export function shardOf(labels: readonly string[], shards: number): number {
  let h = 0x811c9dc5;
  for (const part of labels) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
