// The event log on a real full disk (a small tmpfs): an events batch whose write fails is not
// acked (the agent is told `ingest_paused` with the batch's seq), nothing half-written stays in
// the log, and once there is space again the resent batch is acked and stored once.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventsPage } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
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
    // The tmpfs is small: ingest resumes once 1 MiB is free again (the default is 64 MiB).
    t = await startTestCore({
      dataDir: join(disk.dir, 'data'),
      diskResumeFreeBytes: 1024 * 1024,
      ingestProbeMs: 100,
    });
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'full-1' });
    agent.send({ type: 'events', seq: 1, events: failures('192.0.2.1', 5) });
    expect((await agent.next<{ seq: number }>('ack')).seq).toBe(1);

    await disk.fill();
    const batch = { type: 'events', seq: 2, events: failures('192.0.2.2', 200) };
    agent.send(batch);
    const refused = await agent.next<{ code: string; seq: number }>('error');
    expect(refused).toMatchObject({ code: 'ingest_paused', seq: 2 });
    expect(await t.metric('meridian_event_log_write_failures')).toBeGreaterThanOrEqual(1);
    expect(await t.metric('meridian_batches_deferred_total', { reason: 'disk_full' })).toBe(1);

    // Ingest is paused (as for a failed WAL write) and raises the disk alert.
    await waitFor(
      async () => (await t!.metric('meridian_ingest_paused')) === 1,
      undefined,
      'ingest paused',
    );
    const { alerts } = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts')).body;
    expect(alerts.find((a) => a.ruleId === 'ingest_paused')?.message).toContain('Disk full');

    // Space again: the agent resends, as told, until it is acked; its events are there once.
    await disk.release();
    const answers: { type: string; seq?: number; retryAfterMs?: number }[] = [];
    agent.ws.on('message', (d) => answers.push(JSON.parse(String(d))));
    const acked = await waitFor(
      async () => {
        const from = answers.length;
        agent.send(batch);
        const answer = await waitFor(
          () => answers.slice(from).find((m) => m.seq === 2),
          undefined,
          'an answer to the resend',
        );
        if (answer.type === 'ack') return true;
        await new Promise((r) => setTimeout(r, answer.retryAfterMs ?? 100));
        return false;
      },
      60_000,
      'the resend acked',
    );
    expect(acked).toBe(true);
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
