// The one alert a lost relay link raises: each kind of loss in its own words, and the agents
// held, so an operator can tell a WAN cut from a stopped or crashed relay without opening logs.
import { describe, expect, it } from 'vitest';
import { outageMessage, type OutageRelay } from '../../electron/core/relay/central/relay-outage.js';

const relay: OutageRelay = {
  name: 'eu-relay-1',
  region: 'eu-west-1',
  agents: { size: 3 },
  lastContactAt: Date.UTC(2026, 10, 30, 14, 5, 9),
};
const base = { afterRestart: false, saidStopping: false, held: 2, holdMs: 24 * 3_600_000 };

describe('outageMessage', () => {
  it('a silent link is a cut, with the agents held and when the relay last reported', () => {
    expect(outageMessage(relay, { ...base, how: 'cut_off' })).toBe(
      'Relay eu-relay-1 (eu-west-1) cut off: its link went silent (no answer to pings: a WAN cut, or its host is unreachable). ' +
        "2 of 3 agents behind it were healthy at its last report (14:05:09 UTC); they are held online, not paged, for up to 24 h, and their data waits in the relay's queue.",
    );
  });

  it('a close tells a stop (1001) from a death', () => {
    expect(outageMessage(relay, { ...base, how: 'down', saidStopping: true })).toContain(
      'down: it said it was stopping (stopped by its operator or service manager)',
    );
    expect(outageMessage(relay, { ...base, how: 'down' })).toContain(
      'down: it closed its connection without a word (the relay process died, or its host restarted)',
    );
  });

  it('a relay not back since the console started says so; no report time when it never reported', () => {
    const text = outageMessage(
      { ...relay, lastContactAt: null },
      { ...base, how: 'down', afterRestart: true, held: 0 },
    );
    expect(text).toContain('has not reconnected since the console started');
    expect(text).toContain('0 of 3 agents behind it were healthy at its last report;');
  });
});
