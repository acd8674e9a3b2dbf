// Escalation policies and channels in words. Pure.
import type { ChannelView, DeliveryAttempt, EscalationPolicy } from '../../../shared/notify.js';
import { span } from './silence-text.js';

/** "notify ops-hook; after 5 min unacknowledged, notify pager; repeats every 5 min". */
export function policyText(p: EscalationPolicy, names: ReadonlyMap<string, string>): string {
  const who = (ids: readonly string[]) => ids.map((id) => names.get(id) ?? id).join(' + ');
  const steps = p.steps.map((s, i) =>
    i === 0 && s.afterMs === 0
      ? `notify ${who(s.channelIds)}`
      : `after ${span(s.afterMs)} unacknowledged, notify ${who(s.channelIds)}`,
  );
  const repeat =
    p.repeatAfterMs === null
      ? 'then stops'
      : `repeats after ${span(p.repeatAfterMs)} until acknowledged`;
  return `${steps.join('; ')}; ${repeat}`;
}

/** Which incidents a policy takes: "critical in eu-west-1", or "every incident". */
export function policyScope(p: EscalationPolicy): string {
  const parts = [];
  if (p.match.severities?.length) parts.push(p.match.severities.join('/'));
  if (p.match.regions?.length) parts.push(`in ${p.match.regions.join(', ')}`);
  if (p.match.rules?.length) parts.push(`rules ${p.match.rules.join(', ')}`);
  return parts.length ? parts.join(' ') : 'every incident';
}

/** "delivered · HTTP 200 · 12 ms" / "failed · HTTP 500 · 30 ms · server said …". */
export function deliveryText(d: DeliveryAttempt): string {
  const parts = [d.ok ? 'delivered' : 'failed'];
  if (d.status !== null)
    parts.push(d.channelKind === 'email' ? `SMTP ${d.status}` : `HTTP ${d.status}`);
  parts.push(`${Math.round(d.latencyMs)} ms`);
  if (!d.ok && d.error) parts.push(d.error);
  return parts.join(' · ');
}

/** Where a channel sends, without its secrets. */
export function channelTarget(c: ChannelView): string {
  if (c.kind === 'email') return `${(c.to ?? []).join(', ')} via ${c.host ?? '?'}:${c.port ?? '?'}`;
  if (c.kind === 'desktop') return 'this console';
  return c.url ?? '';
}

/** Parse "5" / "5m" / "90s" / "1h" into ms for a step's delay; null when unreadable. */
export function parseDelay(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'm').toLowerCase();
  const ms = unit === 's' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
