import { describe, expect, it } from 'vitest';
import { EventReporter, type EventLine, type UplinkEvent } from '../../agent/uplink-events.js';

describe('EventReporter', () => {
  function reporter() {
    let now = 0;
    const lines: EventLine[] = [];
    const r = new EventReporter(
      () => now,
      (line) => lines.push(line),
    );
    return { r, lines, at: (t: number) => (now = t) };
  }
  const dropped = (code: string): UplinkEvent => ({
    type: 'samples_dropped',
    code,
    message: '1 sample(s) dropped',
    seq: 1,
  });

  it('is quiet while healthy: connecting says nothing, a welcome one line', () => {
    const { r, lines } = reporter();
    r.report({ type: 'connecting', url: 'ws://127.0.0.1:4781' });
    r.report({ type: 'connected', agentId: 'agt-1', reconnect: false, resent: 0 });
    expect(lines).toEqual([{ level: 'info', text: 'connected as agt-1' }]);
  });

  it('prints the same dropped-samples code at most once a minute, then says how many it held back', () => {
    const { r, lines, at } = reporter();
    r.report(dropped('series_limit'));
    at(10_000);
    r.report(dropped('series_limit'));
    r.report(dropped('out_of_order')); // another code is its own line
    at(30_000);
    r.report(dropped('series_limit'));
    at(60_000);
    r.report(dropped('series_limit'));
    expect(lines.map((l) => l.text)).toEqual([
      'the console dropped samples (series_limit): 1 sample(s) dropped',
      'the console dropped samples (out_of_order): 1 sample(s) dropped',
      'the console dropped samples (series_limit): 1 sample(s) dropped (and 2 more like it since the last report)',
    ]);
  });

  it('says why it waits long after 4010, in seconds', () => {
    const { r, lines } = reporter();
    r.report({
      type: 'held_off',
      code: 4010,
      delayMs: 61_400,
      reason: 'replaced: a newer connection took over',
    });
    expect(lines[0]).toEqual({
      level: 'warn',
      text: "another connection with this agent's identity took over (4010); retrying in 61 s (replaced: a newer connection took over)",
    });
  });
});
