// The `events` a FIM finding becomes (shared/security-events.ts names). Also what the
// simulator sends for its sudoers-change scenario, so both have one shape.
import type { AgentEvent } from '../../../shared/protocol.js';
import {
  SECURITY_CATEGORIES,
  SECURITY_FIELDS as F,
  SECURITY_SOURCES,
  type FimChange,
} from '../../../shared/security-events.js';
import type { FileDigest } from './fim-baseline.js';

const base = { category: SECURITY_CATEGORIES.fim, source: SECURITY_SOURCES.fim };

export function fimChangeEvent(
  ts: number,
  f: { path: string; change: FimChange; old?: FileDigest; now?: FileDigest },
): AgentEvent {
  const a: Record<string, string | number> = {
    [F.eventType]: 'fim_change',
    [F.path]: f.path,
    [F.change]: f.change,
  };
  if (f.old) a[F.oldSha256] = f.old.sha256;
  if (f.now) {
    a[F.newSha256] = f.now.sha256;
    a[F.size] = f.now.size;
  }
  const short = (d?: { sha256: string }) => (d ? d.sha256.slice(0, 12) : '∅');
  const size = f.now ? `, ${f.now.size} bytes` : '';
  return {
    ...base,
    ts,
    severity: 'warning',
    message: `${f.path} ${f.change} (sha256 ${short(f.old)} → ${short(f.now)}${size})`,
    attributes: a,
  };
}

export function fimUnreadableEvent(ts: number, path: string, reason: string): AgentEvent {
  return {
    ...base,
    ts,
    severity: 'warning',
    message: `cannot read ${path} (${reason}): its changes are not seen`,
    attributes: { [F.eventType]: 'fim_unreadable', [F.path]: path, [F.error]: reason },
  };
}
