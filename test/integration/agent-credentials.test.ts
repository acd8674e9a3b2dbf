// Issue 13, per-agent credentials through real sockets: an agent enrols with the enrolment
// secret and gets its own key, reconnects with it, cannot speak for another agent, is cut off
// at once when its key is revoked and refused afterwards; rotating the secret leaves keys valid.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MemoryCredentialStore } from '../../agent/credential-file.js';
import { Uplink } from '../../agent/uplink.js';
import { systemClock } from '../../shared/clock.js';
import type { AgentKeyView, EnrolmentSecretRotated } from '../../shared/credentials.js';
import type { AuditEntry } from '../../shared/api.js';
import { AGENT_KEY_FILE } from '../../agent/credential-file.js';
import {
  AGENT_TOKEN,
  WAIT_MS,
  connectAgent,
  hello,
  openIngest,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';

let t: TestCore | null = null;
const uplinks: Uplink[] = [];
afterEach(async () => {
  for (const u of uplinks.splice(0)) u.stop();
  await t?.stop();
  t = null;
});

function uplink(
  url: string,
  store: MemoryCredentialStore,
  hostname: string,
  fatal: string[] = [],
  token = AGENT_TOKEN,
): Uplink {
  const u = new Uplink({
    url,
    token,
    credentials: store,
    clock: systemClock,
    random: Math.random,
    backoffInitialMs: 50,
    backoffMaxMs: 200,
    hello: { hostname, region: 'us-east-1', agentType: 'system', version: 'test' },
    onFatal: (reason) => fatal.push(reason),
  });
  uplinks.push(u);
  u.start();
  return u;
}

/** The HTTP answer to an upgrade with this bearer token (101 when accepted). */
async function upgradeStatus(
  url: string,
  token: string,
): Promise<{ status: number; code?: string }> {
  try {
    const conn = await openIngest(url, token);
    await conn.close();
    return { status: 101 };
  } catch (err) {
    const m = /Unexpected server response: (\d+)/.exec((err as Error).message);
    return { status: m ? Number(m[1]) : 0 };
  }
}

const keyToken = (c: { keyId: string; key: string }) => `mak.${c.keyId}.${c.key}`;

it('enrols with the secret, then reconnects with its own key; the console keeps only a hash', async () => {
  t = await startTestCore();
  const store = new MemoryCredentialStore();
  const first = uplink(t.addr.ingestUrl, store, 'web-1');
  await waitFor(() => first.connected, WAIT_MS, 'enrolment');
  const cred = store.load()!;
  expect(cred.agentId).toBe(first.agentId);
  expect(cred.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  first.stop();

  // The key file on the console: the hash, never the key.
  const keysFile = await readFile(join(t.dataDir, 'agent-keys.ndjson'), 'utf8');
  expect(keysFile).toContain(cred.keyId);
  expect(keysFile).not.toContain(cred.key);
  expect(keysFile).not.toContain(Buffer.from(cred.key, 'base64url').toString('hex'));

  // A new process with the stored key and a wrong secret: the key alone lets it in, same id.
  const second = uplink(t.addr.ingestUrl, store, 'web-1', [], 'not-the-secret');
  await waitFor(() => second.connected, WAIT_MS, 'reconnect with the key');
  expect(second.agentId).toBe(cred.agentId);
  const { body } = await t.api<{ keys: AgentKeyView[] }>(`/api/v1/agents/${cred.agentId}/keys`);
  expect(body.keys).toHaveLength(1);
  expect(body.keys[0]).toMatchObject({ keyId: cred.keyId, agentId: cred.agentId, revokedAt: null });
  expect(body.keys[0]!.lastUsedAt).toBeGreaterThan(0);
  expect(body.keys[0]).not.toHaveProperty('hash');
  expect(await t.metric('meridian_agent_keys_issued_total')).toBe(1);
  const audit = await t.api<{ entries: AuditEntry[] }>('/api/v1/audit?action=agent.key.enrol');
  expect(audit.body.entries.map((e) => e.target)).toContain(cred.agentId);
});

it('an agent cannot report under another agent id: by key, by id or by host on the secret (close 4012)', async () => {
  t = await startTestCore();
  const a = new MemoryCredentialStore();
  const b = new MemoryCredentialStore();
  const ua = uplink(t.addr.ingestUrl, a, 'web-a');
  const ub = uplink(t.addr.ingestUrl, b, 'web-b');
  await waitFor(() => ua.connected && ub.connected, WAIT_MS, 'both enrolled');
  const credA = a.load()!;
  const credB = b.load()!;

  // A's key, hello naming B.
  const byKey = await openIngest(t.addr.ingestUrl, keyToken(credA));
  byKey.send(hello({ protocol: 2, hostname: 'web-b', agentId: credB.agentId }));
  expect(await byKey.closed).toEqual({
    code: 4012,
    reason: expect.stringContaining(
      `this key belongs to agent ${credA.agentId}, not ${credB.agentId}`,
    ),
  });
  // The enrolment secret, naming B's id, or only B's host.
  for (const claim of [{ agentId: credB.agentId }, {}]) {
    const bySecret = await openIngest(t.addr.ingestUrl, AGENT_TOKEN);
    bySecret.send(hello({ protocol: 2, hostname: 'web-b', ...claim }));
    const closed = await bySecret.closed;
    expect(closed.code).toBe(4012);
    expect(closed.reason).toContain(`agent ${credB.agentId} has its own key`);
  }
  expect(await t.metric('meridian_frames_rejected_total', { reason: 'agent_id_mismatch' })).toBe(3);
  // B itself was never displaced.
  expect(ub.connected).toBe(true);
  expect(ub.stats.connects).toBe(1);
});

it('revoking a key closes the live connection at once (4013) and refuses it afterwards', async () => {
  t = await startTestCore();
  const store = new MemoryCredentialStore();
  const fatal: string[] = [];
  const u = uplink(t.addr.ingestUrl, store, 'web-1', fatal);
  await waitFor(() => u.connected, WAIT_MS, 'enrolment');
  const cred = store.load()!;

  const res = await t.api<{ key: AgentKeyView; disconnected: number }>(
    `/api/v1/agents/${cred.agentId}/keys/${cred.keyId}/revoke`,
    { method: 'POST', body: JSON.stringify({ by: 'ops', comment: 'host stolen' }) },
  );
  expect(res.status).toBe(200);
  expect(res.body.key).toMatchObject({ keyId: cred.keyId, revokedBy: 'ops' });
  expect(res.body.disconnected).toBe(1);
  // The agent's live connection is closed with 4013, which it takes as final.
  await waitFor(() => fatal.length > 0, WAIT_MS, 'the agent gives up');
  expect(fatal[0]).toMatch(/closed by the console: 4013 key_revoked.*revoked/);
  expect(u.connected).toBe(false);

  // Refused afterwards: the key (HTTP 401), and the secret for that agent's id or host (4012).
  expect((await upgradeStatus(t.addr.ingestUrl, keyToken(cred))).status).toBe(401);
  const again = await openIngest(t.addr.ingestUrl, AGENT_TOKEN);
  again.send(hello({ protocol: 2, hostname: 'web-1', agentId: cred.agentId }));
  expect((await again.closed).code).toBe(4012);
  expect(
    await t.metric('meridian_frames_rejected_total', { reason: 'key_revoked' }),
  ).toBeGreaterThanOrEqual(2);
  expect(await t.metric('meridian_agent_keys_revoked_total')).toBe(1);
  const audit = await t.api<{ entries: AuditEntry[] }>('/api/v1/audit?action=agent.key.revoke');
  expect(audit.body.entries[0]).toMatchObject({ by: 'ops', target: cred.agentId });
  // Revoked stays revoked across a restart.
  const dataDir = t.dataDir;
  await t.stop({ keepDir: true });
  t = await startTestCore({ dataDir });
  expect((await upgradeStatus(t.addr.ingestUrl, keyToken(cred))).status).toBe(401);
  const keys = await t.api<{ keys: AgentKeyView[] }>(`/api/v1/agents/${cred.agentId}/keys`);
  expect(keys.body.keys[0]!.revokedAt).not.toBeNull();
  // Unknown key or agent: 404 with the JSON error.
  const missing = await t.api<{ error: { code: string } }>(
    `/api/v1/agents/${cred.agentId}/keys/key-nope/revoke`,
    { method: 'POST', body: '{}' },
  );
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('not_found');
});

it('rotating the enrolment secret refuses the old one and keeps issued keys valid', async () => {
  t = await startTestCore({ agentToken: null });
  const secret = (await readFile(join(t.dataDir, 'agent-token'), 'utf8')).trim();
  const store = new MemoryCredentialStore();
  const u = uplink(t.addr.ingestUrl, store, 'web-1', [], secret);
  await waitFor(() => u.connected, WAIT_MS, 'enrolment');
  u.stop();

  const res = await t.api<EnrolmentSecretRotated>('/api/v1/ingest/enrolment-secret/rotate', {
    method: 'POST',
    body: JSON.stringify({ by: 'ops' }),
  });
  expect(res.status).toBe(200);
  expect(res.body.secret).not.toBe(secret);
  expect((await readFile(join(t.dataDir, 'agent-token'), 'utf8')).trim()).toBe(res.body.secret);
  expect((await t.api<{ agentToken: string }>('/api/v1/session')).body.agentToken).toBe(
    res.body.secret,
  );
  expect((await upgradeStatus(t.addr.ingestUrl, secret)).status).toBe(401);
  expect((await upgradeStatus(t.addr.ingestUrl, res.body.secret)).status).toBe(101);
  // The enrolled agent reconnects with its key, not the secret.
  const again = uplink(t.addr.ingestUrl, store, 'web-1', [], secret);
  await waitFor(() => again.connected, WAIT_MS, 'reconnect after rotation');
  const audit = await t.api<{ entries: AuditEntry[] }>(
    '/api/v1/audit?action=ingest.enrolment_secret.rotate',
  );
  expect(audit.body.entries).toHaveLength(1);
  expect(JSON.stringify(audit.body.entries)).not.toContain(res.body.secret);
});

it('a secret set by flag or environment cannot be rotated over the API (409 naming why)', async () => {
  t = await startTestCore();
  const res = await t.api<{ error: { code: string; message: string } }>(
    '/api/v1/ingest/enrolment-secret/rotate',
    { method: 'POST', body: '{}' },
  );
  expect(res.status).toBe(409);
  expect(res.body.error.message).toContain('MERIDIAN_AGENT_TOKEN');
});

it('a protocol-1 agent on the secret alone is still accepted, without a key, and counted', async () => {
  t = await startTestCore();
  const old = await connectAgent(t.addr.ingestUrl, { protocol: 1, hostname: 'legacy-1' });
  const welcome = old as unknown as Record<string, unknown>;
  expect(welcome.credential).toBeUndefined();
  expect(await t.metric('meridian_ingest_legacy_auth_total')).toBe(1);
  const { body } = await t.api<{ keys: AgentKeyView[] }>(`/api/v1/agents/${old.agentId}/keys`);
  expect(body.keys).toEqual([]);
  await old.close();
});

it('the reference agent keeps its key 0600 in its state dir', async () => {
  const { FileCredentialStore } = await import('../../agent/credential-file.js');
  const { mkdtemp, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  t = await startTestCore();
  const dir = await mkdtemp(join(tmpdir(), 'meridian-agent-state-'));
  try {
    const u = new Uplink({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      credentials: new FileCredentialStore(dir, t.addr.ingestUrl),
      clock: systemClock,
      random: Math.random,
      hello: { hostname: 'web-9', region: 'us-east-1', agentType: 'system', version: 'test' },
    });
    uplinks.push(u);
    u.start();
    await waitFor(() => u.connected, WAIT_MS, 'enrolment');
    const file = join(dir, AGENT_KEY_FILE);
    await waitFor(async () => (await stat(file).catch(() => null)) !== null, WAIT_MS, 'key file');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, { agentId: string }>;
    expect(saved[t.addr.ingestUrl]!.agentId).toBe(u.agentId);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
