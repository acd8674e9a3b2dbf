// The text search's prefilter (text-signature.ts) must never drop a matching event: random
// events (mixed case, non-ASCII, numbers and booleans in attributes) written through the
// event store into a temp dir, searched for random needles (pieces of their own fields in
// another case, and strings that are nowhere), against a naive scan of every event.
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import type { StoredEvent } from '../../shared/model.js';
import { EventStore } from '../../electron/core/events/event-store.js';
import {
  needleSignature,
  SignatureColumn,
  eventSignature,
} from '../../electron/core/events/text-signature.js';
import { silentLogger } from '../../electron/core/logger.js';
import { tempDir } from '../helpers/core.js';

const T0 = 1_700_000_000_000;
let seed = 1;
const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const WORDS = [
  'Failed',
  'password',
  'ROOT',
  'sshd',
  'Müller',
  'İstanbul',
  'straße',
  'ÉTÉ',
  '🔐key',
  'systemctl',
  '/usr/bin/SUDO',
  '198.18.0.77',
  '2001:DB8::1',
  'port',
  '50022',
  'x',
  'Ab',
];
const phrase = () =>
  Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(WORDS)).join(
    pick([' ', '', '.', ' : ']),
  );

function randomEvent(i: number): StoredEvent {
  const attributes: StoredEvent['attributes'] = {};
  for (let k = 0, n = Math.floor(rnd() * 4); k < n; k++)
    attributes[`a${k}`] = pick([phrase(), Math.floor(rnd() * 100_000), rnd() < 0.5, phrase()]);
  return {
    id: `evt-${i}`,
    agentId: `agt-${i % 5}`,
    regionId: 'us-east-1',
    ts: T0 + i,
    receivedAt: T0 + i,
    category: 'security',
    severity: 'info',
    source: pick(['auth', 'FIM', 'ports', 'Journald']),
    message: phrase(),
    attributes,
  };
}

/** A piece of one of the event's fields, in a changed case (or not). */
function needleFrom(e: StoredEvent): string {
  const fields = [e.message, e.source, ...Object.values(e.attributes).map(String)];
  const f = pick(fields);
  const start = Math.floor(rnd() * f.length);
  const piece = f.slice(start, start + 1 + Math.floor(rnd() * 12));
  return pick([piece, piece.toUpperCase(), piece.toLowerCase()]);
}

function naive(events: readonly StoredEvent[], text: string): string[] {
  const needle = text.toLowerCase();
  const has = (s: string) => s.toLowerCase().includes(needle);
  return events
    .filter(
      (e) =>
        has(e.message) || has(e.source) || Object.values(e.attributes).some((v) => has(String(v))),
    )
    .map((e) => e.id)
    .reverse();
}

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('text search prefilter', () => {
  it('finds exactly what a naive scan of every event finds, for 250 random needles', async () => {
    const store = new EventStore(
      dir,
      { clock: systemClock, logger: silentLogger },
      {
        retentionMs: 1e12,
        maxBytes: 1024 ** 3,
        segmentBytes: 256 * 1024, // several segments
        flushMs: 5,
        textScanBudget: 1_000_000,
        dedupWindow: 10_000,
      },
    );
    await store.open();
    const events = Array.from({ length: 3_000 }, (_, i) => randomEvent(i));
    for (let i = 0; i < events.length; i += 500) await store.add(events.slice(i, i + 500)).durable;
    expect(store.segmentCount).toBeGreaterThan(1);
    const needles = [
      ...Array.from({ length: 220 }, () => needleFrom(pick(events))),
      ...Array.from({ length: 30 }, () => `zq${Math.floor(rnd() * 1e6)}`),
    ];
    for (const text of needles) {
      if (/["\\]/.test(text) || text.trim() === '') continue;
      const page = await store.search({ text, limit: 5_000 });
      expect({ text, ids: page.events.map((e) => e.id) }).toEqual({
        text,
        ids: naive(events, text),
      });
    }
    await store.close();
  });

  it('a row without the needle mostly fails the signature; a needle under 4 characters filters nothing', () => {
    const col = new SignatureColumn();
    const rows: number[] = [];
    const events = Array.from({ length: 2_000 }, (_, i) => randomEvent(i));
    for (const e of events) {
      rows.length = 0;
      eventSignature(e, rows);
      col.push(rows, 0);
    }
    const sig = needleSignature('zqxjkv-not-there')!;
    let passed = 0;
    events.forEach((_, row) => (passed += col.mayContain(row, sig) ? 1 : 0));
    expect(passed).toBeLessThan(events.length / 10);
    expect(needleSignature('abc')).toBeNull(); // too short to filter
  });
});
