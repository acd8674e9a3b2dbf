// The real collector over the real /proc: a listening socket opened by this test process is
// reported as port_open with this process's pid (tests run as root, so /proc/<pid>/fd is
// readable), and as port_close once it is closed. Loopback only: nothing here listens beyond it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortMonitor } from '../../agent/security/ports/port-monitor.js';
import { systemClock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { waitFor } from '../helpers/core.js';

let dir: string | undefined;
let m: PortMonitor | undefined;
let server: Server | undefined;
afterEach(async () => {
  m?.stop();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  m = server = dir = undefined;
});

describe.runIf(process.platform === 'linux')('listening ports on this host', () => {
  it('a socket this process opens is port_open with its pid, then port_close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-ports-'));
    const events: AgentEvent[] = [];
    m = new PortMonitor(
      {
        clock: systemClock,
        stateDir: dir,
        send: (b) => events.push(...b),
        say: () => {},
        warn: () => {},
      },
      { intervalMs: 50 },
    );
    await m.start();
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const mine = (type: string) =>
      events.find((e) => e.attributes?.['event.type'] === type && e.attributes.port === port);
    const opened = await waitFor(() => mine('port_open'), undefined, `port_open for ${port}`);
    expect(opened.attributes).toMatchObject({
      proto: 'tcp',
      bind_address: '127.0.0.1',
      pid: process.pid,
    });
    expect(typeof opened.attributes?.process).toBe('string');
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const closed = await waitFor(() => mine('port_close'), undefined, `port_close for ${port}`);
    expect(closed.attributes).toMatchObject({ pid: process.pid, bind_address: '127.0.0.1' });
  });
});
