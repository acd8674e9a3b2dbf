// Resolving by hand can be undone for a few seconds (issue 9: `r` resolved at once, with no
// confirmation or undo). The resolve is held in the viewer and only sent when the window ends.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { ActionOutcome } from '../../renderer/src/api/action-outcome.js';
import { ResolveHold } from '../../renderer/src/api/resolve-hold.js';

const WINDOW = 5_000;

function setup(
  answer: (ids: readonly string[]) => ActionOutcome = () => ({ done: [], failed: [] }),
) {
  const clock = new ManualClock();
  const sent: { ids: readonly string[]; comment: string | undefined; keepalive: boolean }[] = [];
  const hold = new ResolveHold(
    (ids, comment, { keepalive }) => {
      sent.push({ ids, comment, keepalive });
      return Promise.resolve(answer(ids));
    },
    clock,
    WINDOW,
  );
  let notified = 0;
  hold.subscribe(() => notified++);
  return { clock, sent, hold, notified: () => notified };
}

/** Let the commit's promise settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ResolveHold', () => {
  it('sends nothing inside the window, then the resolve with its comment', async () => {
    const { clock, sent, hold } = setup();
    hold.hold(['a', 'b'], '  fixed the disk  ');
    expect([...hold.heldIds()]).toEqual(['a', 'b']);
    expect(hold.list()[0]).toMatchObject({ status: 'held', sendAt: clock.now() + WINDOW });
    clock.advance(WINDOW - 1);
    expect(sent).toEqual([]);
    clock.advance(1);
    expect(sent).toEqual([{ ids: ['a', 'b'], comment: 'fixed the disk', keepalive: false }]);
    expect(hold.list()[0]!.status).toBe('sending');
    await settle();
    expect(hold.list()).toEqual([]);
    expect(hold.heldIds().size).toBe(0);
  });

  it('undo inside the window: nothing is ever sent, the alerts are no longer held', () => {
    const { clock, sent, hold, notified } = setup();
    const key = hold.hold(['a']);
    const before = notified();
    hold.undo(key);
    expect(notified()).toBe(before + 1);
    expect(hold.list()).toEqual([]);
    expect(hold.heldIds().size).toBe(0);
    clock.advance(10 * WINDOW);
    expect(sent).toEqual([]);
  });

  it('undoes one resolve among several, and the latest first by key', () => {
    const { clock, sent, hold } = setup();
    const first = hold.hold(['a']);
    clock.advance(1_000);
    hold.hold(['b']);
    hold.undo(first);
    expect([...hold.heldIds()]).toEqual(['b']);
    clock.advance(WINDOW);
    expect(sent.map((s) => s.ids)).toEqual([['b']]);
  });

  it('flush sends what is held at once, as keepalive requests (the page is going away)', () => {
    const { sent, hold } = setup();
    hold.hold(['a']);
    hold.hold(['b'], 'x');
    hold.flush();
    expect(sent).toEqual([
      { ids: ['a'], comment: undefined, keepalive: true },
      { ids: ['b'], comment: 'x', keepalive: true },
    ]);
  });

  it('a resolve the core refuses comes back: the notice says why until dismissed', async () => {
    const { clock, hold } = setup((ids) => ({
      done: [],
      failed: ids
        .filter((id) => id !== 'ok')
        .map((id) => ({ id, message: 'the console does not answer' })),
    }));
    hold.hold(['ok', 'bad']);
    clock.advance(WINDOW);
    await settle();
    const [entry] = hold.list();
    expect(entry).toMatchObject({
      ids: ['bad'],
      status: 'failed',
      message: 'the console does not answer',
    });
    // Back in its queue: no longer held.
    expect(hold.heldIds().size).toBe(0);
    // A failed one cannot be "undone"; it is dismissed.
    hold.undo(entry!.key);
    expect(hold.list()).toHaveLength(1);
    hold.dismiss(entry!.key);
    expect(hold.list()).toEqual([]);
  });

  it('keeps a notice when the core resolved under a silence (the condition still held)', async () => {
    const silenced = [{ alertId: 'a', silenceId: 'sil-1', endsAt: 3_600_000 }];
    const { clock, hold } = setup(() => ({ done: [], failed: [], silenced }));
    const key = hold.hold(['a']);
    clock.advance(WINDOW);
    await settle();
    expect(hold.list()).toEqual([expect.objectContaining({ key, status: 'silenced', silenced })]);
    // The alert is resolved: no queue keeps it back as held.
    expect(hold.heldIds().size).toBe(0);
    hold.dismiss(key);
    expect(hold.list()).toEqual([]);
  });
});
