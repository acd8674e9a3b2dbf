// The event log on a real full disk (a small tmpfs): an events batch whose write fails is not
// acked (the agent is told `ingest_paused` with the batch's seq), nothing half-written stays in
// the log, and once there is space again the resent batch is acked and stored once.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventsPage } from '../../shared/api.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { decodeLine } from '../../electron/core/checked-line.js';
import { connectAgent, startTestCore, waitFor, type TestCore } from '../helpers/core.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

const fs = await mountTmpfs(32 * 1024 * 1024);
const skip = 'skip' in fs ? fs.skip : null;
if (skip) console.warn(`SKIPPED: event log disk-full test — ${skip}`);

let t: TestCore | null = null;
afterAll(async () => {
  await t?.stop({ keepDir: true });
  if (!skip) await (fs as Tmpfs).unmount();
});

const failures = (ip: string, n: number): AgentEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: Date.now() - 10_000 + i,
    category: 'security',
    severity: 'warning',
    source: 'auth',
    message: `Failed password for root from ${ip} port ${40_000 + i} ssh2`,
    attributes: { 'event.type': 'auth_failure', user: 'root', src_ip: ip, attempt: true },
  }));

describe.skipIf(skip !== null)('event log, disk full (a real tmpfs)', () => {
  it('does not ack a batch it could not write, keeps the log whole, and stores the resend once', async () => {
    const disk = fs as Tmpfs;
    t = await startTestCore({ dataDir: join(disk.dir, 'data') });
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'full-1' });
    agent.send({ type: 'events', seq: 1, events: failures('192.0.2.1', 5) });
    expect((await agent.next<{ seq: number }>('ack')).seq).toBe(1);

    await disk.fill();
    const batch = { type: 'events', seq: 2, events: failures('192.0.2.2', 200) };
    agent.send(batch);
    const refused = await agent.next<{ code: string; seq: number }>('error');
    expect(refused).toMatchObject({ code: 'ingest_paused', seq: 2 });
    expect(await t.metric('meridian_event_log_write_failures')).toBeGreaterThanOrEqual(1);
    expect(await t.metric('meridian_batches_deferred_total', { reason: 'write_failed' })).toBe(1);

    // Space again: the agent resends; acked now, and its events are there once.
    await disk.release();
    await waitFor(async () => (await disk.free()) > 1024 * 1024, undefined, 'free space');
    agent.send(batch);
    expect((await agent.next<{ seq: number }>('ack', 30_000)).seq).toBe(2);
    const page = (await t.api<EventsPage>('/api/v1/events?sourceIp=192.0.2.2&limit=1000')).body;
    expect(page.events).toHaveLength(200);
    expect(new Set(page.events.map((e) => e.message)).size).toBe(200);

    // Every line on disk is whole and checks out (the failed write was cut back).
    const dir = join(t.dataDir, 'events');
    for (const f of (await readdir(dir)).filter((n) => n.startsWith('seg-'))) {
      const text = await readFile(join(dir, f), 'utf8');
      expect(text === '' || text.endsWith('\n'), f).toBe(true);
      for (const line of text.split('\n').filter(Boolean)) expect(decodeLine(line)).not.toBeNull();
    }
    await agent.close();
  }, 60_000);
});
