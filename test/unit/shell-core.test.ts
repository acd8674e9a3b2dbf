import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/logger.js';
import { parseShellArgs } from '../../electron/shell/args.js';
import {
  desktopConfig,
  portOrAny,
  startDesktopCore,
  type DesktopCore,
} from '../../electron/shell/desktop-core.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-shell-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('portOrAny', () => {
  it('keeps a free preferred port and falls back to any port when it is taken', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => busy.close(r)));
    const taken = (busy.address() as { port: number }).port;
    expect(await portOrAny(taken, '127.0.0.1')).toBe(0);
    expect(await portOrAny(0, '127.0.0.1')).toBe(0);
    // A port just freed is free.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    expect(await portOrAny(free, '127.0.0.1')).toBe(free);
  });
});

describe('desktopConfig', () => {
  it('is serve’s config with the desktop data dir, a fresh session token and the file’s settings', () => {
    const config = desktopConfig(
      parseShellArgs(['--ingest-host', '0.0.0.0']),
      '/data',
      { heartbeatIntervalMs: 500, ingestHost: '127.0.0.1', regions: [] },
      { apiPort: 4780, ingestPort: 0 },
      { MERIDIAN_AGENT_TOKEN: 'tok' },
      '/app/dist/renderer',
    );
    expect(config).toMatchObject({
      dataDir: '/data',
      apiPort: 4780,
      ingestPort: 0,
      ingestHost: '0.0.0.0',
      heartbeatIntervalMs: 500,
      agentToken: 'tok',
      sessionToken: null,
      rendererDir: '/app/dist/renderer',
    });
    expect(
      desktopConfig(parseShellArgs([]), '/d', {}, { apiPort: 0, ingestPort: 0 }, {}, null),
    ).toMatchObject({
      agentToken: null,
      ingestHost: '127.0.0.1',
      rendererDir: null,
    });
  });

  it('acts as the OS user unless config.json names the operators', () => {
    const ports = { apiPort: 0, ingestPort: 0 };
    const args = parseShellArgs([]);
    expect(desktopConfig(args, '/d', {}, ports, {}, null, 'alice').operators).toEqual(['alice']);
    expect(
      desktopConfig(args, '/d', { operators: ['bob', 'carol'] }, ports, {}, null, 'alice')
        .operators,
    ).toEqual(['bob', 'carol']);
    expect(desktopConfig(args, '/d', {}, ports, {}, null, null).operators).toEqual([]);
  });
});

describe('startDesktopCore', () => {
  it('starts the core on the given ports, prints where it is, and stops once', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'config.json'), JSON.stringify({ heartbeatIntervalMs: 250 }));
    const lines: string[] = [];
    const seen: string[] = [];
    const desktop: DesktopCore = await startDesktopCore({
      args: parseShellArgs(['--port', '0', '--ingest-port', '0']),
      dataDir,
      env: {},
      out: (l) => lines.push(l),
      logger: silentLogger,
      rendererDir: null,
      beforeStart: (core) => {
        seen.push(`subscribed before start: ${core.agentToken === ''}`);
      },
    });
    cleanups.push(() => desktop.stop());
    expect(seen).toEqual(['subscribed before start: true']);
    expect(desktop.core.config.heartbeatIntervalMs).toBe(250);
    expect(desktop.agent).toBeNull();
    expect(desktop.addr.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toMatch(/^Meridian \S+ \(desktop\)$/);
    expect(lines).toContain(
      `  ingest   ${desktop.addr.ingestUrl}   (enrolment secret in ${join(dataDir, 'agent-token')})`,
    );
    // wss:// by default, with the CA the connect command pins.
    expect(desktop.addr.ingestUrl).toMatch(/^wss:\/\//);
    const fp = desktop.core.credentials!.tls!.fingerprint;
    expect(lines).toContain(
      `  tls      CA ${fp} (${join(dataDir, 'tls', 'ca.pem')} unless your own)`,
    );
    expect(lines.at(-1)).toContain(`--ca-fingerprint ${fp}`);
    expect(lines).toContain(`  data     ${dataDir}`);

    // The window's origin answers with the session token (what the cookie and the preload carry).
    const res = await fetch(`${desktop.addr.apiUrl}/api/v1/alerts`, {
      headers: { Authorization: `Bearer ${desktop.core.sessionToken}` },
    });
    expect(res.status).toBe(200);
    const refused = await fetch(`${desktop.addr.apiUrl}/api/v1/alerts`);
    expect(refused.status).toBe(401);

    await Promise.all([desktop.stop(), desktop.stop()]);
    await expect(fetch(`${desktop.addr.apiUrl}/healthz`)).rejects.toThrow();
  });

  it('names a bad config.json rather than starting', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'config.json'), JSON.stringify({ apiPort: 'x' }));
    await expect(
      startDesktopCore({
        args: parseShellArgs([]),
        dataDir,
        env: {},
        out: () => {},
        logger: silentLogger,
      }),
    ).rejects.toThrow(/apiPort/);
  });
});
