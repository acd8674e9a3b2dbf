// The Relays page's wording (renderer/src/views/relays/relay-text.ts): each link state in words,
// and a lost link's figures said to be the relay's last report, never current.
import { describe, expect, it } from 'vitest';
import type { RelayView } from '../../shared/relays.js';
import { formatClock } from '../../renderer/src/lib/format.js';
import {
  agentsText,
  heldText,
  lagText,
  lastContactText,
  lastOutageText,
  linkText,
  queueText,
  relayCommand,
  reportAsOf,
} from '../../renderer/src/views/relays/relay-text.js';

const T = Date.UTC(2026, 10, 30, 14, 2, 11);
const NOW = T + 185_000;

function relay(over: Partial<RelayView> = {}): RelayView {
  return {
    id: 'rly-1',
    name: 'relay-eu',
    region: 'eu-west-1',
    version: '0.1.0',
    address: '10.0.0.5',
    state: 'connected',
    since: T,
    lastContactAt: NOW - 2_000,
    agents: { total: 120, online: 118, offline: 2 },
    queue: { pending: 1204, bytes: 98_611, oldestAt: T, dropped: 0 },
    lagMs: 4_500,
    statusAt: NOW - 1_000,
    bytesReceived: 1_258_291,
    samplesReceived: 48_210,
    outages: [],
    ...over,
  };
}

describe('relay link in words', () => {
  it('connected: since when', () => {
    expect(linkText(relay(), NOW)).toEqual({
      label: 'Connected',
      detail: `since ${formatClock(T)} (3m 05s ago)`,
    });
  });

  it('cut off: silent since the last frame, not since the console noticed', () => {
    const r = relay({
      state: 'cut_off',
      since: T + 5_000,
      lastContactAt: T,
      outages: [{ kind: 'cut_off', startedAt: T + 5_000, endedAt: null, relayRestarted: null }],
    });
    expect(linkText(r, NOW)).toEqual({
      label: 'Cut off',
      detail: `link silent since ${formatClock(T)} (3m 05s ago)`,
    });
  });

  it('down: closed by the relay; or, after a console restart, not reconnected yet', () => {
    const closed = relay({
      state: 'down',
      outages: [{ kind: 'down', startedAt: T, endedAt: null, relayRestarted: null }],
    });
    expect(linkText(closed, NOW).detail).toBe(
      `closed by the relay since ${formatClock(T)} (3m 05s ago)`,
    );
    const awaited = relay({ state: 'down', outages: [] });
    expect(linkText(awaited, NOW).detail).toBe(
      `not reconnected since the console started at ${formatClock(T)} (3m 05s ago)`,
    );
    expect(linkText(relay({ state: 'down', since: NOW - 300 }), NOW).detail).toMatch(
      /\(just now\)$/,
    );
  });
});

describe('figures of a lost link are its last report', () => {
  it('agents are held only while the link is lost', () => {
    expect(agentsText(relay())).toBe('118/120 online · 2 offline');
    expect(heldText(relay())).toBeNull();
    expect(heldText(relay({ state: 'cut_off' }))).toBe('held: last reported healthy');
    expect(heldText(relay({ state: 'down', agents: { total: 0, online: 0, offline: 0 } }))).toBe(
      null,
    );
  });

  it('the queue and lag say "as of" the last report, only when lost', () => {
    expect(reportAsOf(relay())).toBeNull();
    expect(reportAsOf(relay({ state: 'down' }))).toBe(
      `as of ${formatClock(NOW - 1_000)}, its last report`,
    );
    expect(reportAsOf(relay({ state: 'cut_off', statusAt: null }))).toBe(
      'no report before the link was lost',
    );
  });
});

describe('units', () => {
  it('queue in samples and bytes, with drops', () => {
    expect(queueText(relay())).toBe('1,204 samples pending · 96.3 KiB on disk');
    expect(queueText(relay({ queue: { pending: 1, bytes: 80, oldestAt: T, dropped: 3 } }))).toBe(
      '1 sample pending · 80 B on disk · 3 dropped',
    );
  });

  it('lag in seconds, minutes, hours past two', () => {
    expect(lagText(0)).toBe('none');
    expect(lagText(4_500)).toBe('4.5 s');
    expect(lagText(42_000)).toBe('42 s');
    expect(lagText(270_000)).toBe('4.5 min');
    expect(lagText(60 * 60_000)).toBe('60 min');
    expect(lagText(3 * 3_600_000)).toBe('3.0 h');
  });

  it('last contact, relative and absolute', () => {
    expect(lastContactText(relay(), NOW)).toBe(`2s ago · ${formatClock(NOW - 2_000)}`);
    expect(lastContactText(relay({ lastContactAt: null }), NOW)).toBe('never');
  });
});

describe('last outage', () => {
  const outage = (over: Partial<RelayView['outages'][number]>) =>
    relay({
      outages: [{ kind: 'down', startedAt: T, endedAt: T + 65_000, relayRestarted: true, ...over }],
    });

  it('kind, when, how long, and whether the relay restarted', () => {
    expect(lastOutageText(relay(), NOW)).toBe('none');
    expect(lastOutageText(outage({}), NOW)).toBe(
      `Down at ${formatClock(T)} for 1m 05s · relay restarted`,
    );
    expect(lastOutageText(outage({ kind: 'cut_off', relayRestarted: false }), NOW)).toBe(
      `Cut off at ${formatClock(T)} for 1m 05s · relay not restarted`,
    );
    expect(lastOutageText(outage({ relayRestarted: null }), NOW)).toBe(
      `Down at ${formatClock(T)} for 1m 05s`,
    );
    // Found cut and back within the second (the console notices a cut only by its pings).
    expect(lastOutageText(outage({ endedAt: T + 400, relayRestarted: false }), NOW)).toBe(
      `Down at ${formatClock(T)} for under 1s · relay not restarted`,
    );
    expect(lastOutageText(outage({ endedAt: null, relayRestarted: null }), NOW)).toBe(
      `Down at ${formatClock(T)}, ongoing (began 3m 05s ago)`,
    );
  });
});

describe('the command that starts a relay', () => {
  it('names this console’s ingest URL, its secret and the CA pin when ingest serves TLS', () => {
    const session = { ingestUrl: 'ws://127.0.0.1:4781', agentToken: 's3cret' };
    expect(relayCommand(session, 'eu-west-1')).toBe(
      'meridian relay --upstream ws://127.0.0.1:4781 --region eu-west-1 --token s3cret',
    );
    expect(
      relayCommand({ ...session, caFingerprint: 'sha256:ab', ingestUrl: 'wss://h:4781' }, 'x'),
    ).toBe(
      'meridian relay --upstream wss://h:4781 --ca-fingerprint sha256:ab --region x --token s3cret',
    );
  });
});
