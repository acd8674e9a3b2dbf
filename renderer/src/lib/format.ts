// Small, pure formatting helpers. Numbers use tabular figures in CSS; here we fix the widths.

/** "now", "12s", "4m 05s", "3h 12m", "2d 4h" — compact ages for tables and cards. */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return 'now';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

export function ageSince(ts: number | null, now: number): string {
  return ts === null ? '—' : formatAge(now - ts);
}

export function formatPercent(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)}%`;
}

export function formatRatio(value: number): string {
  return `${Math.round(value * 100)}%`;
}

const compact = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 10_000) return `${compact.format(value / 1000)}k`;
  return value >= 100 ? Math.round(value).toLocaleString('en') : compact.format(value);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatTimestamp(ts: number | null): string {
  if (ts === null) return '—';
  return new Date(ts).toLocaleString('en-GB', {
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? word : many}`;
}

/** 1.5 GiB, 312 MiB, 4.0 KiB — binary units, as disks and budgets are set. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** A retention or span: "6 h", "30 d", "1 y". */
export function formatSpan(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.round(ms / 60_000)} min`;
  if (h < 48) return `${Math.round(h)} h`;
  const d = h / 24;
  if (d >= 365 && Number.isInteger(d / 365)) return `${d / 365} y`;
  return `${Math.round(d)} d`;
}

/** "14:02:31": a wall-clock time for "as of …" notes. */
export function formatClock(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts)) return '—';
  return new Date(ts).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

const SEPARATORS = new Set(['-', '_', '.', '/', ':', ' ']);
/** The end kept whole when a name is cut: at least this long, at most the second figure. */
const MIN_TAIL = 4;
const MAX_TAIL = 12;

/**
 * Where to cut a name so that what tells it from its neighbours stays: hostnames in a fleet
 * share a long prefix and differ at the end ("sim-eu-west-1-database-0042"). The tail is the
 * shortest run of whole trailing segments (from a separator) of at least MIN_TAIL characters;
 * a name without a usable separator keeps its last MIN_TAIL + 2 characters.
 */
export function splitForTruncation(name: string): { head: string; tail: string } {
  if (name.length <= MIN_TAIL + 2) return { head: '', tail: name };
  for (let i = name.length - 1; i > 0; i--) {
    if (!SEPARATORS.has(name[i]!)) continue;
    const tail = name.slice(i);
    if (tail.length < MIN_TAIL) continue;
    if (tail.length > MAX_TAIL) break;
    return { head: name.slice(0, i), tail };
  }
  const cut = name.length - (MIN_TAIL + 2);
  return { head: name.slice(0, cut), tail: name.slice(cut) };
}

/**
 * The name in at most `max` characters, cut in the middle ("sim-eu-west-1-d…-0042") so the
 * distinguishing end stays; for text where CSS cannot cut (titles, native options).
 */
export function middleEllipsis(name: string, max: number): string {
  if (name.length <= max) return name;
  const { head, tail } = splitForTruncation(name);
  const room = max - tail.length - 1;
  if (room < 1) return `…${name.slice(name.length - (max - 1))}`;
  return `${head.slice(0, room)}…${tail}`;
}
