// The event log through the real entry points: events sent by a real agent over WebSocket,
// acked only once on disk in <data-dir>/events, found through GET /api/v1/events filters over
// real HTTP, kept across a restart, and moved out of an old state.json once.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventsPage, TopSource } from '../../shared/api.js';
import type { AgentEvent } from '../../shared/protocol.js';
import {
  connectAgent,
  startTestCore,
  tempDir,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

let t: TestCore | null = null;
let agent: TestAgent | null = null;
afterEach(async () => {
  await agent?.close();
  agent = null;
  await t?.stop();
  t = null;
});

let seq = 0;
const now = Date.now();
const failure = (ip: string, user: string, i: number): AgentEvent => ({
  ts: now - 60_000 + i,
  category: 'security',
  severity: 'warning',
  source: 'auth',
  message: `Failed password for ${user} from ${ip} port 22 ssh2`,
  attributes: { 'event.type': 'auth_failure', user, src_ip: ip, attempt: true, service: 'sshd' },
});

async function sendEvents(a: TestAgent, events: AgentEvent[]) {
  const s = ++seq;
  a.send({ type: 'events', seq: s, events });
  const ack = await a.next<{ seq: number }>('ack');
  expect(ack.seq).toBe(s);
}

async function eventLines(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'events');
  const files = (await readdir(dir)).filter((f) => f.startsWith('seg-')).sort();
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
  return text.split('\n').filter(Boolean);
}

describe('GET /api/v1/events over the event log', () => {
  it('acks an events batch only once it is in the event log on disk, not in state.json', async () => {
    t = await startTestCore();
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'web-1' });
    await sendEvents(agent, [failure('203.0.113.9', 'root', 1), failure('203.0.113.9', 'root', 2)]);
    // The ack came: both lines are already on disk.
    expect((await eventLines(t.dataDir)).filter((l) => l.includes('203.0.113.9'))).toHaveLength(2);
    await t.core.state.flush();
    const state = JSON.parse(await readFile(join(t.dataDir, 'state.json'), 'utf8'));
    expect(state.events).toEqual([]);
  });

  it('filters by host, region, user, source IP, type, severity, time and text, and pages', async () => {
    t = await startTestCore();
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'web-1', region: 'us-east-1' });
    const other = await connectAgent(t.addr.ingestUrl, { hostname: 'db-1', region: 'eu-west-1' });
    try {
      await sendEvents(agent, [
        ...Array.from({ length: 12 }, (_, i) => failure('203.0.113.9', `user${i % 3}`, i)),
        failure('2001:db8::7', 'root', 20),
      ]);
      await sendEvents(other, [
        failure('203.0.113.9', 'root', 30),
        {
          ts: now,
          category: 'change',
          severity: 'critical',
          source: 'fim',
          message: 'modified /etc/sudoers',
          attributes: { 'event.type': 'fim_change', path: '/etc/sudoers', change: 'modified' },
        },
      ]);
      const get = async (q: string) => (await t!.api<EventsPage>(`/api/v1/events?${q}`)).body;
      const byIp = await get('sourceIp=203.0.113.9&limit=100');
      expect(byIp.events).toHaveLength(13);
      expect(byIp.events[0]!.agentId).toBe(other.agentId); // newest first
      expect((await get(`sourceIp=203.0.113.9&agent=${agent.agentId}`)).events).toHaveLength(12);
      expect((await get('region=eu-west-1')).events.map((e) => e.message)).toEqual([
        'modified /etc/sudoers',
        'Failed password for root from 203.0.113.9 port 22 ssh2',
      ]);
      expect((await get('user=user1&type=auth_failure')).events).toHaveLength(4);
      expect((await get('type=fim_change')).events.map((e) => e.source)).toEqual(['fim']);
      expect((await get('severity=critical')).events).toHaveLength(1);
      expect((await get('category=change')).events).toHaveLength(1);
      expect((await get('text=ETC%2FSUDOERS')).events).toHaveLength(1);
      expect((await get(`sourceIp=${encodeURIComponent('2001:db8::7')}`)).events).toHaveLength(1);
      expect((await get(`from=${now - 60_000 + 10}&to=${now - 60_000 + 20}`)).events).toHaveLength(
        3,
      );

      // Pages of 5 cover the 13 once each.
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: EventsPage = await get(
          `sourceIp=203.0.113.9&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ids.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(ids).toHaveLength(13);
      expect(new Set(ids).size).toBe(13);

      const top = (
        await t.api<{ sources: TopSource[] }>(
          `/api/v1/events/top-sources?from=${now - 120_000}&to=${now + 1}`,
        )
      ).body.sources;
      expect(top[0]).toMatchObject({ sourceIp: '203.0.113.9', failures: 13, hosts: 2, users: 4 });
      expect(top[1]).toMatchObject({ sourceIp: '2001:db8::7', failures: 1 });
    } finally {
      await other.close();
    }
  });

  it('answers bad parameters with a 400 naming the field, counted on /metrics', async () => {
    t = await startTestCore();
    const cases: [string, string][] = [
      ['from=yesterday', 'from'],
      ['limit=abc', 'limit'],
      ['cursor=x', 'cursor'],
      ['severity=loud', 'severity'],
      ['colour=red', 'colour'],
      ['from=200&to=100', 'to'],
      ['limit=0', 'limit'],
    ];
    for (const [q, field] of cases) {
      const res = await t.api<{ error: { code: string; field?: string; message: string } }>(
        `/api/v1/events?${q}`,
      );
      expect(res.status, q).toBe(400);
      expect(res.body.error.field, q).toBe(field);
    }
    const top = await t.api<{ error: { field?: string } }>('/api/v1/events/top-sources?to=x');
    expect(top.status).toBe(400);
    expect(top.body.error.field).toBe('to');
    expect(
      await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_query' }),
    ).toBe(cases.length + 1);
  });

  it('keeps events across a restart, and counts a torn last line instead of failing', async () => {
    const dataDir = await tempDir();
    t = await startTestCore({ dataDir });
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'web-1' });
    await sendEvents(agent, [
      failure('198.51.100.4', 'root', 1),
      failure('198.51.100.4', 'root', 2),
    ]);
    await agent.close();
    agent = null;
    await t.stop({ keepDir: true });
    // A crash in the middle of a write: half a line at the end of the segment.
    const seg = (await readdir(join(dataDir, 'events')))
      .filter((f) => f.startsWith('seg-'))
      .sort()
      .pop()!;
    await writeFile(join(dataDir, 'events', seg), '0badc0de {"id":"evt-half","ts":', { flag: 'a' });
    t = await startTestCore({ dataDir });
    expect(
      (await t.api<EventsPage>('/api/v1/events?sourceIp=198.51.100.4')).body.events,
    ).toHaveLength(2);
    expect(await t.metric('meridian_event_log_replay_torn_lines')).toBe(1);
    expect(await t.metric('meridian_event_log_events')).toBe(2);
  });

  it("moves an old state.json's events into the log once and stops writing them there", async () => {
    const dataDir = await tempDir();
    t = await startTestCore({ dataDir });
    await t.stop({ keepDir: true });
    const statePath = join(dataDir, 'state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    state.events = [1, 2, 3].map((i) => ({
      id: `evt-old-${i}`,
      agentId: 'agt-old',
      regionId: 'us-east-1',
      ts: now - 3_600_000 + i,
      receivedAt: now - 3_600_000 + i,
      category: 'security',
      severity: 'info',
      source: 'auth',
      message: `old event ${i}`,
      attributes: { user: 'alice' },
    }));
    await writeFile(statePath, JSON.stringify(state));
    t = await startTestCore({ dataDir });
    const found = (await t.api<EventsPage>('/api/v1/events?user=alice')).body.events;
    expect(found.map((e) => e.message)).toEqual(['old event 3', 'old event 2', 'old event 1']);
    const rewritten = JSON.parse(await readFile(statePath, 'utf8'));
    expect(rewritten.events).toEqual([]);
    // Started again (and again with the old file back, as after a crash before the rewrite):
    // still three, never six.
    await t.stop({ keepDir: true });
    await writeFile(statePath, JSON.stringify(state));
    t = await startTestCore({ dataDir });
    expect((await t.api<EventsPage>('/api/v1/events?user=alice')).body.events).toHaveLength(3);
  });
});
