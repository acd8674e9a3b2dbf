// The listening-ports collector on fixture /proc text: the table parser (IPv4, IPv6, LISTEN
// only, UDP's unconnected sockets), and the monitor over a fixture /proc tree in a temp dir
// (net/tcp, <pid>/fd links, <pid>/comm): baseline, opened, closed, the baseline surviving a
// restart, a process the agent may not look into, and the non-Linux notice.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortMonitor } from '../../agent/security/ports/port-monitor.js';
import { parseProcNet, socketInode } from '../../agent/security/ports/proc-net.js';
import { ManualClock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';

const HEAD =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const tcpLine = (sl: number, local: string, remote: string, st: string, inode: number) =>
  `   ${sl}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

const TCP =
  HEAD +
  tcpLine(0, '0100007F:0CEA', '00000000:0000', '0A', 28430) + // 127.0.0.1:3306
  tcpLine(1, '00000000:0016', '00000000:0000', '0A', 19283) + // 0.0.0.0:22
  tcpLine(2, '0F02000A:0016', '0202000A:C5E2', '01', 31123); // an established connection
const TCP6 =
  HEAD +
  tcpLine(
    0,
    '00000000000000000000000000000000:0016',
    '00000000000000000000000000000000:0000',
    '0A',
    19285,
  ) +
  tcpLine(
    1,
    '00000000000000000000000001000000:1F90',
    '00000000000000000000000000000000:0000',
    '0A',
    40001,
  ) +
  tcpLine(
    2,
    '0000000000000000FFFF00000100007F:0277',
    '00000000000000000000000000000000:0000',
    '0A',
    40002,
  ) +
  tcpLine(
    3,
    'B80D0120000000000000000001000000:01BB',
    '00000000000000000000000000000000:0000',
    '0A',
    40003,
  );
const UDP =
  HEAD +
  tcpLine(0, '3500007F:0035', '00000000:0000', '07', 5001) + // 127.0.0.53:53 bound
  tcpLine(1, '0F02000A:D431', '08080808:0035', '01', 5002); // connected: not a listener

describe('/proc/net tables', () => {
  it('keeps LISTEN sockets and decodes their addresses', () => {
    expect(parseProcNet(TCP, 'tcp')).toEqual([
      { proto: 'tcp', address: '127.0.0.1', port: 3306, inode: 28430 },
      { proto: 'tcp', address: '0.0.0.0', port: 22, inode: 19283 },
    ]);
    expect(parseProcNet(TCP6, 'tcp6')).toEqual([
      { proto: 'tcp6', address: '::', port: 22, inode: 19285 },
      { proto: 'tcp6', address: '::1', port: 8080, inode: 40001 },
      { proto: 'tcp6', address: '::ffff:7f00:1', port: 631, inode: 40002 },
      { proto: 'tcp6', address: '2001:db8::1', port: 443, inode: 40003 },
    ]);
    expect(parseProcNet(UDP, 'udp')).toEqual([
      { proto: 'udp', address: '127.0.0.53', port: 53, inode: 5001 },
    ]);
    expect(parseProcNet('garbage\nnot a line\n', 'tcp')).toEqual([]);
    expect(socketInode('socket:[19283]')).toBe(19283);
    expect(socketInode('/dev/null')).toBeNull();
  });
});

let dir: string | undefined;
const monitors: PortMonitor[] = [];
afterEach(async () => {
  for (const m of monitors.splice(0)) m.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function procTree(tcp: string, procs: { pid: number; comm: string; inodes: number[] }[]) {
  const root = join(dir!, 'proc');
  await mkdir(join(root, 'net'), { recursive: true });
  await writeFile(join(root, 'net', 'tcp'), tcp);
  await writeFile(join(root, 'net', 'tcp6'), HEAD);
  for (const p of procs) {
    await mkdir(join(root, String(p.pid), 'fd'), { recursive: true });
    await writeFile(join(root, String(p.pid), 'comm'), `${p.comm}\n`);
    let fd = 3;
    for (const inode of p.inodes)
      await symlink(`socket:[${inode}]`, join(root, String(p.pid), 'fd', String(fd++))).catch(
        () => {},
      );
  }
  return root;
}

function monitor(procRoot: string, platform: NodeJS.Platform = 'linux') {
  const events: AgentEvent[] = [];
  const said: string[] = [];
  const m = new PortMonitor(
    {
      clock: new ManualClock(),
      stateDir: join(dir!, 'state'),
      send: (b) => events.push(...b),
      say: (l) => said.push(l),
      warn: (l) => said.push(l),
    },
    { procRoot, platform },
  );
  monitors.push(m);
  return { m, events, said };
}

describe('listening ports monitor', () => {
  it('baselines the first scan, then reports opened and closed listeners with their process', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-ports-'));
    const root = await procTree(TCP, [{ pid: 812, comm: 'sshd', inodes: [19283] }]);
    const a = monitor(root);
    await a.m.start();
    expect(a.events).toEqual([]);

    const backdoor = tcpLine(3, '00000000:115C', '00000000:0000', '0A', 77001); // 0.0.0.0:4444
    await procTree(TCP + backdoor, [{ pid: 4242, comm: 'nc', inodes: [77001] }]);
    await a.m.scanNow();
    expect(a.events.map((e) => e.attributes)).toEqual([
      {
        'event.type': 'port_open',
        port: 4444,
        proto: 'tcp',
        bind_address: '0.0.0.0',
        process: 'nc',
        pid: 4242,
      },
    ]);
    expect(a.events[0]).toMatchObject({ source: 'ports', category: 'change' });
    expect(a.events[0]!.message).toBe('now listening on tcp 0.0.0.0:4444: nc (pid 4242)');

    // sshd stops; the process is known from when it was seen.
    await writeFile(
      join(root, 'net', 'tcp'),
      HEAD + tcpLine(0, '0100007F:0CEA', '00000000:0000', '0A', 28430) + backdoor,
    );
    await a.m.scanNow();
    expect(a.events.slice(1).map((e) => e.attributes)).toEqual([
      {
        'event.type': 'port_close',
        port: 22,
        proto: 'tcp',
        bind_address: '0.0.0.0',
        process: 'sshd',
        pid: 812,
      },
    ]);

    // A restart keeps the baseline: nothing re-reported; a listener opened while down is.
    a.m.stop();
    const extra = tcpLine(4, '00000000:1F40', '00000000:0000', '0A', 88001); // :8000, no readable fd
    await writeFile(
      join(root, 'net', 'tcp'),
      HEAD + tcpLine(0, '0100007F:0CEA', '00000000:0000', '0A', 28430) + backdoor + extra,
    );
    const b = monitor(root);
    await b.m.start();
    expect(b.events.map((e) => e.attributes)).toEqual([
      { 'event.type': 'port_open', port: 8000, proto: 'tcp', bind_address: '0.0.0.0' },
    ]);
    expect(b.events[0]!.message).toMatch(/process unknown$/);
  });

  it('off Linux it says "not collected" once and sends nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-ports-'));
    const a = monitor(join(dir, 'none'), 'darwin');
    await a.m.start();
    expect(a.said).toEqual(['listening ports: not collected on darwin (Linux only)']);
    expect(a.events).toEqual([]);
  });
});
