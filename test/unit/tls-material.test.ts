// The ingest TLS material: a CA and a server certificate made with @peculiar/x509, kept 0600,
// reused across starts (the pinned fingerprint stays), re-issued when the host changes.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterEach, expect, it } from 'vitest';
import { loadOrCreateTls } from '../../electron/core/credentials/tls-material.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A TLS handshake trusting only `ca`, by name: whether it was authorized, and why not. */
async function handshake(cert: string, key: string, ca: string, servername: string) {
  const server = createServer({ cert, key });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<{ ok: boolean; error: string | null }>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, ca, servername, rejectUnauthorized: false });
      s.on('secureConnect', () => {
        resolve({ ok: s.authorized, error: s.authorizationError?.message ?? null });
        s.destroy();
      });
      s.on('error', (e) => resolve({ ok: false, error: e.message }));
    });
  } finally {
    server.close();
  }
}

it('creates a 10-year CA and a server certificate for the ingest host, files 0600, stable across starts', async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-tls-'));
  const now = new Date();
  const m = await loadOrCreateTls(dir, 'ingest.example.internal', now);
  expect(m.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  const ca = new X509Certificate(m.caPem);
  expect(ca.ca).toBe(true);
  const years = (Date.parse(ca.validTo) - now.getTime()) / (365.25 * 24 * 3600_000);
  expect(years).toBeGreaterThan(9.9);
  const leaf = new X509Certificate(m.cert);
  expect(leaf.checkIssued(ca)).toBe(true);
  expect(leaf.verify(ca.publicKey)).toBe(true);
  for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:ingest.example.internal'])
    expect(leaf.subjectAltName).toContain(name);
  expect(leaf.subjectAltName).toMatch(/IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
  for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'])
    expect((await stat(join(dir, 'tls', f))).mode & 0o777).toBe(0o600);
  expect((await stat(join(dir, 'tls'))).mode & 0o777).toBe(0o700);

  expect(await handshake(m.cert, m.key, m.caPem, 'localhost')).toEqual({ ok: true, error: null });
  expect((await handshake(m.cert, m.key, m.caPem, 'other.example')).ok).toBe(false);

  // A second start reuses both; a new ingest host re-issues the server certificate only.
  const again = await loadOrCreateTls(dir, 'ingest.example.internal', now);
  expect(again).toEqual(m);
  const moved = await loadOrCreateTls(dir, '10.1.2.3', now);
  expect(moved.fingerprint).toBe(m.fingerprint);
  expect(moved.key).not.toBe(m.key);
  expect(new X509Certificate(moved.cert).subjectAltName).toContain('IP Address:10.1.2.3');
  expect(await readFile(join(dir, 'tls', 'server-key.pem'), 'utf8')).toBe(moved.key);
});
