// Event batches taken in turns (electron/core/ingest/event-intake.ts): a turn handles a bounded
// number of events, each slice from the agent with the fewest waiting, an agent's events keep
// their order, and a batch resolves once every slice of it is stored (or fails with it).
import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventsMessage } from '../../shared/protocol.js';
import { EventIntake } from '../../electron/core/ingest/event-intake.js';

const batch = (agent: string, from: number, n: number): EventsMessage => ({
  type: 'events',
  seq: from,
  events: Array.from({ length: n }, (_, i) => ({
    ts: from + i,
    category: 'security',
    severity: 'info',
    source: 'auth',
    message: `${agent} ${from + i}`,
  })),
});

function setup(fail?: (agent: string, events: AgentEvent[]) => boolean) {
  const stored: { agent: string; ts: number[]; turn: number }[] = [];
  const turns: (() => void)[] = [];
  let turn = 0;
  const intake = new EventIntake(
    (agent, events) => {
      stored.push({ agent, ts: events.map((e) => e.ts), turn });
      return fail?.(agent, events) ? Promise.reject(new Error('disk full')) : Promise.resolve();
    },
    (fn) => turns.push(fn),
  );
  const runTurn = () => {
    turn++;
    turns.shift()!();
  };
  return { intake, stored, turns, runTurn };
}

describe('event intake', () => {
  it('a few events from one agent go before the backlog of another; each keeps its order', async () => {
    const { intake, stored, turns, runTurn } = setup();
    const big = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500].map((f) =>
      intake.submit('loud', batch('loud', f, 500), 0),
    );
    const small = intake.submit('quiet', batch('quiet', 0, 10), 0);
    expect(stored).toEqual([]); // nothing handled while the frames are read
    runTurn();
    expect(stored[0]).toMatchObject({ agent: 'quiet', turn: 1 });
    await small;
    while (turns.length > 0) runTurn();
    await Promise.all(big);
    const loud = stored.filter((s) => s.agent === 'loud');
    expect(loud.flatMap((s) => s.ts)).toEqual(Array.from({ length: 4_000 }, (_, i) => i));
    // Bounded turns: about 1,000 events each (slices of at most 250).
    for (let t = 1; t <= 4; t++) {
      const n = stored.filter((s) => s.turn === t).reduce((k, s) => k + s.ts.length, 0);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(1_010);
      expect(stored.filter((s) => s.turn === t).every((s) => s.ts.length <= 250)).toBe(true);
    }
  });

  it('a batch fails when any slice of it fails to store, and resolves only when all are stored', async () => {
    const { intake, turns, runTurn } = setup((_a, events) => events[0]!.ts === 250);
    const failing = intake.submit('a', batch('a', 0, 600), 0);
    const other = intake.submit('b', batch('b', 0, 5), 0);
    let settled = false;
    void failing.catch(() => (settled = true));
    while (turns.length > 0) runTurn();
    await expect(failing).rejects.toThrow('disk full');
    expect(settled).toBe(true);
    await expect(other).resolves.toBeUndefined();
  });
});
