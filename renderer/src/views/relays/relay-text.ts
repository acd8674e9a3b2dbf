// The Relays page in words: each relay's link, agents, queue, lag and last outage as an
// operator reads them. Pure, so the wording is unit-tested (test/unit/renderer-relay-text.test.ts).
// While a link is lost, what the relay last reported (its agents, its queue and lag) is said
// to be that report, with its time: never shown as if it were current.
import type { SessionInfo } from '../../../../shared/api.js';
import type { RelayOutage, RelayView } from '../../../../shared/relays.js';
import { formatAge, formatBytes, formatClock, plural } from '../../lib/format.js';

/** The link lost: the relay's own figures on screen are its last report. */
export const isLost = (r: Pick<RelayView, 'state'>): boolean => r.state !== 'connected';

/** "3m 05s ago", or "just now" under a second. */
export function ago(ms: number): string {
  const age = formatAge(ms);
  return age === 'now' ? 'just now' : `${age} ago`;
}

/** How long something lasted: "3m 05s", "under 1s". */
export function lasted(ms: number): string {
  const d = formatAge(ms);
  return d === 'now' ? 'under 1s' : d;
}

/** "14:02:11 (3m 05s ago)". */
export function clockAndAge(ts: number, now: number): string {
  return `${formatClock(ts)} (${ago(now - ts)})`;
}

/**
 * The link in words: "Connected", "Cut off — link silent since 14:02:11 (3m 05s ago)", "Down —
 * closed by the relay since 14:02:11 (3m 05s ago)". A cut link is silent since its last frame
 * (the console only notices after unanswered pings); a closed one since the close. A relay
 * known from before a console restart that has not reconnected yet is down with no outage
 * open (the console pages about it only after its grace period).
 */
export function linkText(r: RelayView, now: number): { label: string; detail: string } {
  switch (r.state) {
    case 'connected':
      return { label: 'Connected', detail: `since ${clockAndAge(r.since, now)}` };
    case 'cut_off':
      return {
        label: 'Cut off',
        detail: `link silent since ${clockAndAge(r.lastContactAt ?? r.since, now)}`,
      };
    case 'down':
      return r.outages[0]?.endedAt === null
        ? { label: 'Down', detail: `closed by the relay since ${clockAndAge(r.since, now)}` }
        : {
            label: 'Down',
            detail: `not reconnected since the console started at ${clockAndAge(r.since, now)}`,
          };
  }
}

/** "2/2 online", with the offline count when there is one. */
export function agentsText(r: RelayView): string {
  const { online, total, offline } = r.agents;
  return `${online}/${total} online${offline > 0 ? ` · ${offline} offline` : ''}`;
}

/** What the console does with the agents of a lost relay (null while connected). */
export function heldText(r: RelayView): string | null {
  if (!isLost(r) || r.agents.total === 0) return null;
  return 'held: last reported healthy';
}

/**
 * The queue at the relay: "1,204 samples pending · 96.3 KiB on disk" (and what it dropped). The
 * bytes are its segments on disk, acked ones included until a segment is whole and deleted.
 */
export function queueText(r: RelayView): string {
  const { pending, bytes, dropped } = r.queue;
  const base = `${plural(pending, 'sample')} pending · ${formatBytes(bytes)} on disk`;
  return dropped > 0 ? `${base} · ${dropped.toLocaleString('en')} dropped` : base;
}

/** Lag in seconds or minutes (hours past two): "none", "12 s", "4.5 min", "3.2 h". */
export function lagText(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return 'none';
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const min = s / 60;
  if (min < 120) return `${min < 10 ? min.toFixed(1) : Math.round(min)} min`;
  return `${(min / 60).toFixed(1)} h`;
}

/**
 * When the queue and lag figures are from: null while they are current (connected), else
 * "as of 14:02:09, its last report" (or that it never reported).
 */
export function reportAsOf(r: RelayView): string | null {
  if (!isLost(r)) return null;
  return r.statusAt === null
    ? 'no report before the link was lost'
    : `as of ${formatClock(r.statusAt)}, its last report`;
}

/** "12s ago · 14:02:11", or "never". */
export function lastContactText(r: RelayView, now: number): string {
  if (r.lastContactAt === null) return 'never';
  return `${ago(now - r.lastContactAt)} · ${formatClock(r.lastContactAt)}`;
}

/** "48,210 samples · 1.2 MiB". */
export function receivedText(r: RelayView): string {
  return `${plural(r.samplesReceived, 'sample')} · ${formatBytes(r.bytesReceived)}`;
}

const KIND: Record<RelayOutage['kind'], string> = { cut_off: 'Cut off', down: 'Down' };

/**
 * The newest outage: "Down at 14:02:11 for 3m 05s · relay restarted", "Cut off at 14:02:11,
 * ongoing (began 1m 10s ago)", or "none".
 */
export function lastOutageText(r: RelayView, now: number): string {
  const o = r.outages[0];
  if (!o) return 'none';
  const head = `${KIND[o.kind]} at ${formatClock(o.startedAt)}`;
  if (o.endedAt === null) return `${head}, ongoing (began ${ago(now - o.startedAt)})`;
  const restart =
    o.relayRestarted === null
      ? ''
      : o.relayRestarted
        ? ' · relay restarted'
        : ' · relay not restarted';
  return `${head} for ${lasted(o.endedAt - o.startedAt)}${restart}`;
}

/** The command that starts a relay reporting to this console (as the agent's connect command). */
export function relayCommand(
  s: Pick<SessionInfo, 'ingestUrl' | 'agentToken' | 'caFingerprint'>,
  region: string,
): string {
  const pin = s.caFingerprint ? ` --ca-fingerprint ${s.caFingerprint}` : '';
  return `meridian relay --upstream ${s.ingestUrl}${pin} --region ${region} --token ${s.agentToken}`;
}
