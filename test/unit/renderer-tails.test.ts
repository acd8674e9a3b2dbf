// The renderer's live-tail bookkeeping: ids per subscriber, `tail` re-sent after a reconnect,
// messages routed by id, `untail` on unsubscribe, and the console's per-viewer limit.
import { describe, expect, it } from 'vitest';
import type { StreamRequest } from '../../shared/api.js';
import { MAX_TAILS_PER_VIEWER } from '../../shared/api-constants.js';
import { TailSubscriptions } from '../../renderer/src/api/tails.js';

function harness(connected = true) {
  const sent: StreamRequest[] = [];
  const link = { up: connected };
  const tails = new TailSubscriptions((r) => {
    if (!link.up) return false;
    sent.push(r);
    return true;
  });
  return { sent, link, tails };
}

describe('TailSubscriptions', () => {
  it('sends tail with a fresh id and routes points to that subscriber only', () => {
    const { sent, tails } = harness();
    const a: unknown[] = [];
    const b: unknown[] = [];
    tails.add({ metric: 'cpu_usage', agent: 'agt-1' }, (m) => a.push(m));
    tails.add({ metric: 'cpu_usage', region: 'eu-west-1', agg: 'p95' }, (m) => b.push(m));
    expect(sent).toEqual([
      { type: 'tail', id: 't1', query: { metric: 'cpu_usage', agent: 'agt-1' } },
      { type: 'tail', id: 't2', query: { metric: 'cpu_usage', region: 'eu-west-1', agg: 'p95' } },
    ]);
    tails.dispatch({ type: 'tail', id: 't2', serverTime: 1, points: [[0, 1]] });
    tails.dispatch({ type: 'tail', id: 'nope', serverTime: 1, points: [] });
    expect(a).toEqual([]);
    expect(b).toHaveLength(1);
  });

  it('re-sends every tail after a reconnect, including those asked for while down', () => {
    const { sent, link, tails } = harness(false);
    tails.add({ metric: 'a' }, () => {});
    tails.add({ metric: 'b' }, () => {});
    expect(sent).toEqual([]);
    link.up = true;
    tails.resendAll();
    expect(sent.map((r) => r.type === 'tail' && r.query.metric)).toEqual(['a', 'b']);
  });

  it('untails on unsubscribe (once) and forgets a tail the console refused', () => {
    const { sent, tails } = harness();
    const stop = tails.add({ metric: 'a' }, () => {});
    const errors: unknown[] = [];
    tails.add({ metric: 'bad' }, (m) => errors.push(m));
    stop();
    stop();
    expect(sent.filter((r) => r.type === 'untail')).toEqual([{ type: 'untail', id: 't1' }]);
    tails.dispatch({ type: 'tail_error', id: 't2', message: 'no agent x' });
    expect(errors).toEqual([{ type: 'tail_error', id: 't2', message: 'no agent x' }]);
    expect(tails.size).toBe(0);
    sent.length = 0;
    tails.resendAll();
    expect(sent).toEqual([]);
  });

  it("refuses beyond the console's limit without sending", () => {
    const { sent, tails } = harness();
    for (let i = 0; i < MAX_TAILS_PER_VIEWER; i++) tails.add({ metric: `m${i}` }, () => {});
    const refused: unknown[] = [];
    tails.add({ metric: 'one-too-many' }, (m) => refused.push(m));
    expect(sent).toHaveLength(MAX_TAILS_PER_VIEWER);
    expect(refused).toHaveLength(1);
    expect(tails.size).toBe(MAX_TAILS_PER_VIEWER);
  });
});
