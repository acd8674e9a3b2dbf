// The event log against real files in a temp dir: group-committed appends, replay after a
// restart, retention by size and by age, a torn last line, corrupt lines, resends stored once,
// the filters and cursor paging, top sources, and the one-time move out of state.json.
import { appendFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { StoredEvent } from '../../shared/model.js';
import { EventStore, type EventStoreOptions } from '../../electron/core/events/event-store.js';
import { segmentName } from '../../electron/core/events/segment-file.js';
import { silentLogger } from '../../electron/core/logger.js';
import { tempDir } from '../helpers/core.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
let dir: string;
let now = T0;
const clock: Clock = { ...systemClock, now: () => now };
const stores: EventStore[] = [];

const OPTIONS: EventStoreOptions = {
  retentionMs: 400 * DAY,
  maxBytes: 1024 ** 3,
  segmentBytes: 64 * 1024 * 1024,
  flushMs: 5,
  textScanBudget: 200_000,
  dedupWindow: 10_000,
};

async function openStore(options: Partial<EventStoreOptions> = {}): Promise<EventStore> {
  const store = new EventStore(dir, { clock, logger: silentLogger }, { ...OPTIONS, ...options });
  stores.push(store);
  await store.open();
  return store;
}

let n = 0;
function ev(over: Partial<StoredEvent> & { attrs?: StoredEvent['attributes'] } = {}): StoredEvent {
  const { attrs, ...rest } = over;
  n++;
  return {
    id: `evt-${n}`,
    agentId: 'agt-1',
    regionId: 'us-east-1',
    ts: T0 + n,
    receivedAt: now,
    category: 'security',
    severity: 'warning',
    source: 'auth',
    message: `event ${n}`,
    attributes: attrs ?? {},
    ...rest,
  };
}

const failure = (ip: string, user: string, agentId = 'agt-1', extra = {}) =>
  ev({
    agentId,
    message: `Failed password for ${user} from ${ip}`,
    attrs: { 'event.type': 'auth_failure', user, src_ip: ip, attempt: true, ...extra },
  });

beforeEach(async () => {
  dir = await tempDir();
  now = T0;
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('EventStore', () => {
  it('resolves an append once its batch is on disk, and finds it afterwards', async () => {
    const store = await openStore();
    const { stored, durable } = store.add([ev(), ev()]);
    expect(stored).toHaveLength(2);
    await durable;
    const file = await readFile(join(dir, 'events', segmentName(1)), 'utf8');
    expect(file.trim().split('\n')).toHaveLength(2);
    const page = await store.search({ limit: 10 });
    expect(page.events.map((e) => e.message)).toEqual([stored[1]!.message, stored[0]!.message]);
    expect(page.nextCursor).toBeNull();
  });

  it('groups appends made while a write is under way into one commit, each promise resolving', async () => {
    const store = await openStore();
    const all = Array.from({ length: 50 }, () => store.add([ev()]).durable);
    await Promise.all(all);
    expect(store.eventCount).toBe(50);
  });

  it('keeps every line where the index says across multi-byte text, in one commit and after a restart', async () => {
    let store = await openStore();
    // Lines of 1-, 2-, 3- and 4-byte characters queued together: each line's offset and
    // length are in bytes, not characters, or the next line is read from the wrong place.
    const texts = [
      'plain',
      'Müller löschte',
      '管理者 ログイン失敗',
      '🔐🔑 key rotated',
      ''.padEnd(70_000, 'é'),
    ];
    const batch = texts.map((message, i) =>
      failure(`10.1.0.${i}`, `user-${i}`, 'agt-1', { note: message }),
    );
    batch.forEach((e, i) => (e.message = texts[i]!));
    await Promise.all(batch.map((e) => store.add([e]).durable));
    const read = async () =>
      (await store.search({ limit: 10 })).events.map((e) => [e.message, e.attributes.note]);
    const want = [...texts].reverse().map((t) => [t, t]);
    expect(await read()).toEqual(want);
    for (const [i, t] of texts.entries())
      expect(
        (await store.search({ limit: 1, equals: { sourceIp: `10.1.0.${i}` } })).events[0]!.message,
      ).toBe(t);
    await store.close();
    store = await openStore();
    expect(store.counters.corruptLines).toBe(0);
    expect(await read()).toEqual(want);
  });

  it('stores a resent batch once', async () => {
    const store = await openStore();
    const batch = [ev(), ev()];
    await store.add(batch).durable;
    const again = store.add(batch.map((e) => ({ ...e, id: `${e.id}-resent` })));
    expect(again.stored).toEqual([]);
    await again.durable;
    expect(store.eventCount).toBe(2);
    expect(store.counters.duplicates).toBe(2);
  });

  it('replays every segment after a restart', async () => {
    let store = await openStore({ segmentBytes: 64 * 1024 });
    for (let i = 0; i < 20; i++)
      await store.add(Array.from({ length: 50 }, () => failure(`10.0.0.${i}`, 'root'))).durable;
    expect(store.segmentCount).toBeGreaterThan(1);
    const before = await store.search({ limit: 1000 });
    await store.close();
    store = await openStore({ segmentBytes: 64 * 1024 });
    expect(store.counters.replayedEvents).toBe(1000);
    const after = await store.search({ limit: 1000 });
    expect(after.events).toEqual(before.events);
    // New events go on after the replayed ones.
    await store.add([ev({ message: 'after restart' })]).durable;
    expect((await store.search({ limit: 1 })).events[0]!.message).toBe('after restart');
  });

  it('skips and counts a torn last line, cuts it off, and appends cleanly after it', async () => {
    let store = await openStore();
    await store.add([ev({ message: 'kept' })]).durable;
    await store.close();
    const path = join(dir, 'events', segmentName(1));
    await appendFile(path, '1234abcd {"id":"evt-torn","agentId":"agt-1","ts":1'); // no newline
    store = await openStore();
    expect(store.counters.tornLines).toBe(1);
    expect(store.eventCount).toBe(1);
    await store.add([ev({ message: 'next' })]).durable;
    await store.close();
    store = await openStore();
    expect(store.counters.tornLines).toBe(0);
    expect((await store.search({ limit: 10 })).events.map((e) => e.message)).toEqual([
      'next',
      'kept',
    ]);
  });

  it('skips and counts a line whose checksum fails, keeping the others', async () => {
    let store = await openStore();
    await store.add([ev({ message: 'one' }), ev({ message: 'two' }), ev({ message: 'three' })])
      .durable;
    await store.close();
    const path = join(dir, 'events', segmentName(1));
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"two"', '"TWO"'));
    store = await openStore();
    expect(store.counters.corruptLines).toBe(1);
    expect((await store.search({ limit: 10 })).events.map((e) => e.message)).toEqual([
      'three',
      'one',
    ]);
  });

  it('drops whole segments, oldest first, past the size bound', async () => {
    const store = await openStore({ segmentBytes: 16 * 1024, maxBytes: 64 * 1024 });
    for (let i = 0; i < 40; i++)
      await store.add(Array.from({ length: 20 }, () => ev({ message: `batch ${i}` }))).durable;
    await store.enforceRetention();
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
    expect(store.counters.droppedEvents.size).toBeGreaterThan(0);
    expect(store.counters.droppedEvents.size + store.eventCount).toBe(800);
    const files = await readdir(join(dir, 'events'));
    expect(files.filter((f) => f.startsWith('seg-'))).toHaveLength(store.segmentCount);
    // The newest are kept, and what is left still reads back.
    const page = await store.search({ limit: 1000 });
    expect(page.events[0]!.message).toBe('batch 39');
    expect(page.events).toHaveLength(store.eventCount);
  });

  it('drops segments whose newest event is older than the retention', async () => {
    // Each event is larger than a segment, so each has its own: the age bound is exact here.
    const store = await openStore({ segmentBytes: 4 * 1024, retentionMs: 10 * DAY });
    for (let i = 0; i < 10; i++)
      await store.add([ev({ message: `old ${i}`, attrs: { pad: 'x'.repeat(5000) } })]).durable;
    now = T0 + 5 * DAY;
    for (let i = 0; i < 10; i++)
      await store.add([ev({ message: `new ${i}`, attrs: { pad: 'x'.repeat(5000) } })]).durable;
    now = T0 + 11 * DAY;
    await store.enforceRetention();
    const left = (await store.search({ limit: 100 })).events.map((e) => e.message);
    expect(left.some((m) => m.startsWith('old'))).toBe(false);
    expect(left.filter((m) => m.startsWith('new'))).toHaveLength(10);
    expect(store.counters.droppedEvents.age).toBe(10);
  });

  it('filters by host, region, user, source IP, type, severity, time and text, newest first', async () => {
    const store = await openStore();
    await store.add([
      failure('203.0.113.9', 'root'),
      failure('203.0.113.9', 'admin', 'agt-2'),
      failure('2001:db8::7', 'root'),
      ev({
        severity: 'critical',
        regionId: 'eu-west-1',
        attrs: { 'event.type': 'fim_change', path: '/etc/sudoers' },
        message: 'sudoers modified',
      }),
      ev({
        category: 'change',
        attrs: { 'event.type': 'port_open', port: 4444 },
        message: 'new port 4444',
      }),
    ]).durable;
    const msgs = async (q: Parameters<EventStore['search']>[0]) =>
      (await store.search(q)).events.map((e) => e.message);
    expect(await msgs({ limit: 10, equals: { sourceIp: '203.0.113.9' } })).toEqual([
      'Failed password for admin from 203.0.113.9',
      'Failed password for root from 203.0.113.9',
    ]);
    expect(await msgs({ limit: 10, equals: { sourceIp: '203.0.113.9', agent: 'agt-2' } })).toEqual([
      'Failed password for admin from 203.0.113.9',
    ]);
    expect(await msgs({ limit: 10, equals: { user: 'root', type: 'auth_failure' } })).toHaveLength(
      2,
    );
    expect(await msgs({ limit: 10, equals: { region: 'eu-west-1' } })).toEqual([
      'sudoers modified',
    ]);
    expect(await msgs({ limit: 10, severity: 'critical' })).toEqual(['sudoers modified']);
    expect(await msgs({ limit: 10, category: 'change' })).toEqual(['new port 4444']);
    expect(await msgs({ limit: 10, equals: { type: 'port_open' } })).toEqual(['new port 4444']);
    expect(await msgs({ limit: 10, text: 'SUDOERS' })).toEqual(['sudoers modified']);
    expect(await msgs({ limit: 10, text: '2001:db8' })).toEqual([
      'Failed password for root from 2001:db8::7',
    ]);
    expect(await msgs({ limit: 10, equals: { user: 'nobody' } })).toEqual([]);
    const all = (await store.search({ limit: 10 })).events;
    const mid = all[2]!.ts;
    expect(await msgs({ limit: 10, from: mid, to: mid })).toEqual([all[2]!.message]);
  });

  it('pages newest first with a cursor, each event once', async () => {
    const store = await openStore({ segmentBytes: 8 * 1024 });
    for (let i = 0; i < 10; i++)
      await store.add(Array.from({ length: 30 }, (_, k) => failure(`10.0.${i}.${k % 3}`, 'root')))
        .durable;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { decodeCursor } = await import('../../electron/core/events/event-store.js');
      const page = await store.search({
        limit: 7,
        equals: { user: 'root' },
        ...(cursor ? { before: decodeCursor(cursor)! } : {}),
      });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    const ids = seen.map((id) => Number(id.slice(4)));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('stops a text search at its scan budget and says so, with a cursor to go on', async () => {
    const store = await openStore({ textScanBudget: 50 });
    await store.add([ev({ message: 'needle here' })]).durable;
    await store.add(Array.from({ length: 100 }, () => ev({ message: 'hay' }))).durable;
    const first = await store.search({ limit: 10, text: 'needle' });
    expect(first.events).toEqual([]);
    expect(first.scanLimited).toBe(true);
    const { decodeCursor } = await import('../../electron/core/events/event-store.js');
    const second = await store.search({
      limit: 10,
      text: 'needle',
      before: decodeCursor(first.nextCursor!)!,
    });
    const third = second.nextCursor
      ? await store.search({ limit: 10, text: 'needle', before: decodeCursor(second.nextCursor)! })
      : second;
    expect([...second.events, ...third.events].map((e) => e.message)).toEqual(['needle here']);
  });

  it('ranks source IPs by failed attempts, each attempt once, within the time range', async () => {
    const store = await openStore();
    await store.add([
      ...Array.from({ length: 12 }, (_, i) => failure('203.0.113.9', `u${i % 3}`, `agt-${i % 2}`)),
      // A line restating an attempt (attempt: false) is not another attempt.
      ...Array.from({ length: 5 }, () => failure('203.0.113.9', 'u0', 'agt-1', { attempt: false })),
      ...Array.from({ length: 4 }, () => failure('198.51.100.4', 'root')),
      ev({ attrs: { 'event.type': 'auth_success', user: 'root', src_ip: '192.0.2.1' } }),
    ]).durable;
    const top = store.topSources(-Infinity, Infinity, 10);
    expect(top).toEqual([
      expect.objectContaining({ sourceIp: '203.0.113.9', failures: 12, hosts: 2, users: 3 }),
      expect.objectContaining({ sourceIp: '198.51.100.4', failures: 4, hosts: 1, users: 1 }),
    ]);
    expect(store.topSources(T0 + 1e9, T0 + 2e9, 10)).toEqual([]);
  });

  it("moves state.json's events in once, even when asked again after a crash", async () => {
    let store = await openStore();
    const legacy = [ev({ message: 'from state.json 1' }), ev({ message: 'from state.json 2' })];
    expect(await store.migrateFromState(legacy)).toBe(2);
    await store.close();
    // A window too short to remember them: only the marker keeps them from doubling.
    store = await openStore({ dedupWindow: 1 });
    // state.json not yet rewritten (a crash in between): the marker keeps them from doubling.
    expect(await store.migrateFromState(legacy)).toBe(0);
    expect((await store.search({ limit: 10 })).events.map((e) => e.message)).toEqual([
      'from state.json 2',
      'from state.json 1',
    ]);
    await stat(join(dir, 'events', 'migrated-from-state-json'));
  });
});
