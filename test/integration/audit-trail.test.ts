// The audit trail end to end: `meridian audit verify` as a real process naming each kind of
// tampering; the real core over HTTP (an ack appears, verify on demand, the head); a restart
// keeps one chain; a file tampered with while the console was down raises a critical console
// alert at start-up and the console carries on on a new chain segment that records the break.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditHead, AuditVerifyResult } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
import { writeCheckpoint } from '../../electron/core/audit/audit-files.js';
import { encodeRecord, GENESIS_PREV } from '../../electron/core/audit/chain-format.js';
import { connectAgent, startTestCore, tempDir, waitFor, type TestCore } from '../helpers/core.js';
import { lines, TAMPER, writeChain, writeLines } from '../unit/support/audit-chain.js';

const BIN = join(import.meta.dirname, '../../bin/meridian.js');

function meridian(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
async function dir(): Promise<string> {
  const d = await tempDir();
  cleanup.push(() => rm(d, { recursive: true, force: true }));
  return d;
}
const post = (body?: unknown) => ({
  method: 'POST',
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('meridian audit verify (compiled, as installed)', () => {
  beforeAll(() => {
    if (!existsSync(join(import.meta.dirname, '../../dist/electron/cli.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  });

  it('exit 0 on an untouched chain; exit 1 naming the line edited, deleted or reordered', async () => {
    const d = await dir();
    const original = await writeChain(d, 40);
    const ok = await meridian(['audit', 'verify', '--data-dir', d]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^ok .*40 records, head seq 40 [0-9a-f]{64}, checkpoint seq 40 matches/);
    for (const [how, kind, at] of [
      ['edit', 'edited', 12],
      ['delete', 'deleted', 12],
      ['reorder', 'reordered', 12],
      ['insert', 'inserted', 12],
    ] as const) {
      await writeLines(d, TAMPER[how](original, at));
      const r = await meridian(['audit', 'verify', '--data-dir', d]);
      expect(r.code, `${how}: ${r.out}${r.err}`).toBe(1);
      expect(r.out).toContain(`first break: line ${at} ${kind}:`);
      const json = await meridian(['audit', 'verify', '--data-dir', d, '--json']);
      expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBreak: { kind, line: at } });
    }
    await writeLines(d, original.slice(0, 35));
    const cut = await meridian(['audit', 'verify', '--data-dir', d]);
    expect(cut.code).toBe(1);
    expect(cut.out).toContain('line 36 truncated: expected records up to seq 40');
  });

  it('a chain big enough to be checked in worker threads: ok untouched, the line named when edited', async () => {
    const d = await dir();
    const ls: string[] = [];
    let prev = GENESIS_PREV;
    // About 20 MiB: past the size the check is split into ranges for worker threads.
    for (let seq = 1; seq <= 50_000; seq++) {
      const { line, hash } = encodeRecord({
        seq,
        prev,
        id: `aud-${seq}`,
        at: 1_700_000_000_000 + seq,
        by: `operator-${seq % 7}`,
        action: 'alert.ack',
        target: `alr-${seq % 5_000}`,
        before: { state: 'firing', acknowledgedBy: null, resolvedBy: null, note: 'x'.repeat(200) },
        after: { state: 'acknowledged', acknowledgedBy: `operator-${seq % 7}`, resolvedBy: null },
      });
      ls.push(line);
      prev = hash;
    }
    await writeLines(d, ls);
    await writeCheckpoint(join(d, 'audit.head'), { seq: 50_000, hash: prev, at: 1 });
    const ok = await meridian(['audit', 'verify', '--data-dir', d]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(
      /^ok .*50000 records, head seq 50000 [0-9a-f]{64}, checkpoint seq 50000 matches/,
    );
    await writeLines(
      d,
      ls.map((l, i) => (i === 31_336 ? l.replace('"operator-', '"intruder-') : l)),
    );
    const r = await meridian(['audit', 'verify', '--data-dir', d]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('first break: line 31337 edited:');
  });

  it('exit 2 for bad usage, naming what was wrong', async () => {
    const none = await meridian(['audit']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('meridian audit: missing subcommand');
    const bad = await meridian(['audit', 'verify', '--dat-dir', '/tmp']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("'--dat-dir'");
    const empty = await dir();
    const missing = await meridian(['audit', 'verify', '--data-dir', empty]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('holds no audit.ndjson');
  });
});

describe('the audit trail in the console', () => {
  async function start(dataDir?: string): Promise<TestCore> {
    const t = await startTestCore({
      heartbeatIntervalMs: 60_000,
      ...(dataDir ? { dataDir } : {}),
    });
    return t;
  }
  const entries = async (t: TestCore, q: string) =>
    (await t.api<{ entries: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit?${q}`)).body;
  const verifyNow = async (t: TestCore) =>
    (await t.api<{ result: AuditVerifyResult }>('/api/v1/audit/verify', post())).body.result;

  it('an ack over HTTP is in the trail, durable before the answer; verify and head agree', async () => {
    const t = await start();
    cleanup.push(() => t.stop());
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'db-1', region: 'eu-west-1' });
    await a.close();
    const alert = await waitFor(async () => {
      const list = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=firing')).body.alerts;
      return list[0] ?? null;
    });
    const ack = await t.api(`/api/v1/alerts/${alert.id}/ack`, post({ by: 'dana' }));
    expect(ack.status).toBe(200);
    // Durable before the answer: it is in the file now, not only in memory.
    const onDisk = (await lines(t.dataDir)).map((l) => JSON.parse(l) as AuditEntry);
    expect(onDisk.find((e) => e.action === 'alert.ack')).toMatchObject({
      by: 'dana',
      target: alert.id,
    });
    const page = await entries(t, 'action=alert.ack&by=dana');
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({ target: alert.id, after: { state: 'acknowledged' } });
    // Sign-in recorded once for this client, however many requests it made.
    expect((await entries(t, 'action=session.signin')).entries).toHaveLength(1);
    const result = await verifyNow(t);
    expect(result).toMatchObject({ ok: true, firstBreak: null });
    const head = (
      await t.api<{ head: AuditHead; lastVerification: AuditVerifyResult }>('/api/v1/audit/head')
    ).body;
    expect(head.head.seq).toBeGreaterThanOrEqual(result.head.seq);
    expect(head.lastVerification.ok).toBe(true);
    // Filters and paging: newest first, the cursor walks back without overlap.
    const p1 = await entries(t, 'limit=2');
    const p2 = await entries(t, `limit=2&cursor=${p1.nextCursor}`);
    expect(p1.entries.map((e) => e.seq)).toEqual([head.head.seq, head.head.seq - 1]);
    expect(p2.entries[0]!.seq).toBe(head.head.seq - 2);
    const bad = await t.api<{ error: { field: string } }>('/api/v1/audit?from=9&to=1');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('from');
  });

  it('a restart keeps one chain; a break found at start-up raises a critical alert, once', async () => {
    const d = await dir();
    let t = await start(d);
    await t.api('/api/v1/audit?limit=1');
    await t.stop({ keepDir: true });
    t = await start(d);
    cleanup.push(() => t.stop());
    // One chain across the restart: console.start of the second run follows console.stop.
    const starts = (await entries(t, 'action=console.')).entries;
    expect(starts.map((e) => e.action)).toEqual(['console.start', 'console.stop', 'console.start']);
    expect(starts[0]!.prev).toBe(starts[1]!.hash);
    expect((await verifyNow(t)).ok).toBe(true);
    await t.stop({ keepDir: true });

    // Someone edits line 2 (the first sign-in) while the console is down.
    const ls = await lines(d);
    await writeLines(
      d,
      ls.map((l, i) => (i === 1 ? l.replace('"by":"operator"', '"by":"eve"') : l)),
    );
    t = await start(d);
    const alert = await waitFor(async () => {
      const list = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=firing')).body.alerts;
      return list.find((x) => x.ruleId === 'audit_chain_broken') ?? null;
    });
    expect(alert.severity).toBe('critical');
    expect(alert.message).toContain('line 2 edited');
    const seg = await waitFor(
      async () => (await entries(t, 'action=audit.segment')).entries[0] ?? null,
    );
    expect(seg.details).toMatchObject({ break: { kind: 'edited', line: 2 } });
    const again = await verifyNow(t);
    expect(again).toMatchObject({
      ok: false,
      firstBreak: { kind: 'edited', line: 2 },
      recordedBreaks: 1,
      unrecordedBreak: null,
    });
    expect(await t.metric('meridian_audit_chain_breaks')).toBe(1);
    await t.stop({ keepDir: true });
    // Already recorded: the next start adds no second segment.
    t = await start(d);
    await waitFor(
      async () =>
        (await t.api<{ lastVerification: AuditVerifyResult | null }>('/api/v1/audit/head')).body
          .lastVerification,
    );
    expect((await entries(t, 'action=audit.segment')).entries).toHaveLength(1);
  });

  it('POST /api/v1/audit/verify names a line deleted or reordered while the console was down', async () => {
    const d = await dir();
    let t = await start(d);
    const now = t.core.clock.now();
    const schedule = { kind: 'once', startsAt: now + 3_600_000, endsAt: now + 7_200_000 };
    for (let i = 0; i < 6; i++) {
      const made = await t.api(
        '/api/v1/maintenance',
        post({ name: `w${i}`, regions: ['eu-west-1'], schedule, by: 'x' }),
      );
      expect(made.status, JSON.stringify(made.body)).toBe(200);
    }
    await t.stop({ keepDir: true });
    const original = await lines(d);
    for (const [how, kind] of [
      ['delete', 'deleted'],
      ['reorder', 'reordered'],
    ] as const) {
      await writeLines(d, TAMPER[how](original, 4));
      t = await start(d);
      const r = await verifyNow(t);
      expect(r.firstBreak, how).toMatchObject({ kind, line: 4 });
      await t.stop({ keepDir: true });
    }
  });
});
