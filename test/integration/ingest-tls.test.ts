// Issue 13, TLS on the ingest port through real sockets: wss:// with a CA made on first run;
// an agent pinning the CA's fingerprint connects, a wrong pin is refused before any
// credential is sent, with a message naming both fingerprints; operators may bring their own
// certificate; a non-loopback ingest host without TLS is a configuration error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MemoryCredentialStore } from '../../agent/credential-file.js';
import { Uplink } from '../../agent/uplink.js';
import { loadOrCreateTls } from '../../electron/core/credentials/tls-material.js';
import { ConfigError } from '../../electron/core/config-error.js';
import { systemClock } from '../../shared/clock.js';
import type { SessionInfo } from '../../shared/api.js';
import { AGENT_TOKEN, WAIT_MS, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

let t: TestCore | null = null;
const uplinks: Uplink[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const u of uplinks.splice(0)) u.stop();
  await t?.stop();
  t = null;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function pinnedUplink(url: string, caFingerprint: string | undefined, fatal: string[]) {
  const errors: string[] = [];
  const u = new Uplink({
    url,
    token: AGENT_TOKEN,
    credentials: new MemoryCredentialStore(),
    ...(caFingerprint ? { caFingerprint } : {}),
    clock: systemClock,
    random: Math.random,
    backoffInitialMs: 50,
    backoffMaxMs: 200,
    hello: { hostname: 'tls-1', region: 'us-east-1', agentType: 'system', version: 'test' },
    onEvent: (e) => {
      if (e.type === 'retrying') errors.push(e.reason);
    },
    onFatal: (reason) => fatal.push(reason),
  });
  uplinks.push(u);
  u.start();
  return { u, errors };
}

it('serves wss:// with its own CA; an agent pinning the fingerprint enrols and reports', async () => {
  t = await startTestCore({ ingestTls: 'auto' });
  expect(t.addr.ingestUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
  const session = (await t.api<SessionInfo>('/api/v1/session')).body;
  expect(session.caFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(session.ingestUrl).toBe(t.addr.ingestUrl);
  const fatal: string[] = [];
  const { u } = pinnedUplink(t.addr.ingestUrl, session.caFingerprint, fatal);
  await waitFor(() => u.connected, WAIT_MS, 'a TLS agent welcomed');
  u.sendMetrics([{ name: 'cpu_usage', value: 42, ts: systemClock.now() }]);
  await waitFor(() => u.pendingCount === 0, WAIT_MS, 'the batch acked over TLS');
  expect(fatal).toEqual([]);
  expect(u.keyId).not.toBeNull();
});

it('a TLS agent counts as established once welcomed, so the handshake deadline does not cut it', async () => {
  // The request's socket is the TLS socket over the one the guard watched from `connection`:
  // the guard must find its deadline through it, or it cut every wss:// agent after 5 s.
  t = await startTestCore({ ingestTls: 'auto' });
  const session = (await t.api<SessionInfo>('/api/v1/session')).body;
  const { u } = pinnedUplink(t.addr.ingestUrl, session.caFingerprint, []);
  await waitFor(() => u.connected, WAIT_MS, 'a TLS agent welcomed');
  const open = (state: string) => t!.metric('meridian_connections_open', { port: 'ingest', state });
  await waitFor(
    async () => (await open('established')) === 1 && (await open('handshake')) === 0,
    WAIT_MS,
    'the TLS connection settled: established, its handshake deadline stopped',
  );
});

it('a wrong fingerprint is refused before any credential is sent, naming both fingerprints', async () => {
  t = await startTestCore({ ingestTls: 'auto' });
  const real = (await t.api<SessionInfo>('/api/v1/session')).body.caFingerprint!;
  const wrong = `sha256:${'ab'.repeat(32)}`;
  const fatal: string[] = [];
  const { u } = pinnedUplink(t.addr.ingestUrl, wrong, fatal);
  await waitFor(() => fatal.length > 0, WAIT_MS, 'the agent refuses the console');
  expect(fatal[0]).toContain(`--ca-fingerprint is ${wrong}`);
  expect(fatal[0]).toContain(real);
  expect(fatal[0]).toContain('refusing to send credentials');
  expect(u.connected).toBe(false);
  // Nothing reached the console's upgrade: no agent, no enrolment.
  expect(t.core.fleet.size).toBe(0);
  expect(await t.metric('meridian_agent_keys_issued_total')).toBe(0);
});

it('without a pin, an agent does not trust the private CA (it retries, naming the TLS error)', async () => {
  t = await startTestCore({ ingestTls: 'auto' });
  const fatal: string[] = [];
  const { u, errors } = pinnedUplink(t.addr.ingestUrl, undefined, fatal);
  await waitFor(() => errors.length > 0, WAIT_MS, 'a TLS failure');
  expect(errors[0]).toMatch(/self.signed|certificate/i);
  expect(u.connected).toBe(false);
  expect(t.core.fleet.size).toBe(0);
});

it("an operator's own certificate chain is served and pinned by its top certificate", async () => {
  const pki = await mkdtemp(join(tmpdir(), 'meridian-own-pki-'));
  dirs.push(pki);
  const own = await loadOrCreateTls(pki, 'localhost', new Date());
  await writeFile(join(pki, 'chain.pem'), own.cert);
  await writeFile(join(pki, 'key.pem'), own.key);
  t = await startTestCore({
    ingestTls: { cert: join(pki, 'chain.pem'), key: join(pki, 'key.pem') },
  });
  const session = (await t.api<SessionInfo>('/api/v1/session')).body;
  expect(session.caFingerprint).toBe(own.fingerprint);
  const fatal: string[] = [];
  const { u } = pinnedUplink(t.addr.ingestUrl, own.fingerprint, fatal);
  await waitFor(() => u.connected, WAIT_MS, 'an agent on the operator certificate');
  expect(fatal).toEqual([]);
});

it('a non-loopback ingest host without TLS is refused by config validation unless --insecure-ingest', async () => {
  const err = await startTestCore({ ingestHost: '0.0.0.0', ingestTls: 'off' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toContain("ingestHost '0.0.0.0'");
  expect((err as Error).message).toContain('--insecure-ingest');
  t = await startTestCore({ ingestHost: '0.0.0.0', ingestTls: 'off', insecureIngest: true });
  expect(t.addr.ingestUrl).toMatch(/^ws:\/\//);
});
