// File integrity monitoring against real files in a temp dir: the real FimMonitor with real
// fs.watch and its baseline in a real state dir. Edits in place, a replace by rename (as
// editors and vipw do), a delete, a create, a file added to a watched directory, a change
// while the agent was down, the periodic rescan (on a ManualClock, watches off), and paths
// that cannot be read. Tests run as root, so EACCES cannot be made with chmod: one test
// injects a reader (the real one, wrapped) that fails a path with EACCES, the other uses a
// UNIX socket, which the real reader refuses to read (not a regular file).
import { createHash } from 'node:crypto';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FimMonitor, type FimSettings } from '../../agent/security/fim/fim-monitor.js';
import { fsReader, type FimReader } from '../../agent/security/fim/fim-reader.js';
import { ManualClock, systemClock, type Clock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { waitFor } from '../helpers/core.js';

let dir: string;
const monitors: FimMonitor[] = [];
let server: Server | undefined;
afterEach(async () => {
  for (const m of monitors.splice(0)) m.stop();
  server?.close();
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

interface Run {
  monitor: FimMonitor;
  events: AgentEvent[];
  warnings: string[];
}

async function start(settings: FimSettings, clock: Clock = systemClock): Promise<Run> {
  const events: AgentEvent[] = [];
  const warnings: string[] = [];
  const monitor = new FimMonitor(
    {
      clock,
      stateDir: join(dir, 'state'),
      send: (batch) => events.push(...batch),
      warn: (l) => warnings.push(l),
      say: () => {},
    },
    // No periodic rescan unless a test asks: the watches alone must see each change.
    { rescanMs: 3_600_000, debounceMs: 20, ...settings },
  );
  monitors.push(monitor);
  await monitor.start();
  return { monitor, events, warnings };
}

const changes = (events: AgentEvent[]) => events.map((e) => e.attributes);

describe('file integrity monitoring', () => {
  it('reports an edit, a replace by rename, a delete and a create, with hashes and size', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const passwd = join(dir, 'passwd');
    const shadow = join(dir, 'shadow');
    await writeFile(passwd, 'root:x:0:0:root:/root:/bin/bash\n');
    const r = await start({ paths: [passwd, shadow] });
    expect(r.events).toEqual([]); // the first scan is the baseline

    await appendFile(passwd, 'eve:x:0:0::/root:/bin/bash\n');
    const v2 = 'root:x:0:0:root:/root:/bin/bash\neve:x:0:0::/root:/bin/bash\n';
    await waitFor(() => r.events.length >= 1, undefined, 'the edit');
    expect(r.events[0]).toMatchObject({ source: 'fim', category: 'change' });
    expect(changes(r.events)).toEqual([
      {
        'event.type': 'fim_change',
        path: passwd,
        change: 'modified',
        old_sha256: sha('root:x:0:0:root:/root:/bin/bash\n'),
        new_sha256: sha(v2),
        size: Buffer.byteLength(v2),
      },
    ]);

    // An editor's save: a new file renamed over the old one (a watch on the file would miss it).
    const v3 = 'root:x:0:0:root:/root:/bin/bash\n';
    await writeFile(`${passwd}.tmp`, v3);
    await rename(`${passwd}.tmp`, passwd);
    await waitFor(() => r.events.length >= 2, undefined, 'the replace');
    expect(changes(r.events)[1]).toMatchObject({
      change: 'modified',
      old_sha256: sha(v2),
      new_sha256: sha(v3),
    });

    await unlink(passwd);
    await waitFor(() => r.events.length >= 3, undefined, 'the delete');
    expect(changes(r.events)[2]).toEqual({
      'event.type': 'fim_change',
      path: passwd,
      change: 'deleted',
      old_sha256: sha(v3),
    });

    await writeFile(shadow, 'root:*:19000:0:99999:7:::\n');
    await waitFor(() => r.events.length >= 4, undefined, 'the create');
    expect(changes(r.events)[3]).toEqual({
      'event.type': 'fim_change',
      path: shadow,
      change: 'created',
      new_sha256: sha('root:*:19000:0:99999:7:::\n'),
      size: 26,
    });
    // Each change once: a later scan finds nothing new.
    await r.monitor.scanNow();
    expect(r.events).toHaveLength(4);
  });

  it("watches a directory's files: one added, one changed, one removed", async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const sudoers = join(dir, 'sudoers.d');
    await mkdir(sudoers);
    await writeFile(join(sudoers, 'ops'), '%ops ALL=(ALL) ALL\n');
    const r = await start({ paths: [sudoers] });
    await writeFile(join(sudoers, 'backdoor'), 'eve ALL=(ALL) NOPASSWD: ALL\n');
    await waitFor(() => r.events.length >= 1, undefined, 'the new sudoers file');
    expect(changes(r.events)[0]).toMatchObject({
      path: join(sudoers, 'backdoor'),
      change: 'created',
      new_sha256: sha('eve ALL=(ALL) NOPASSWD: ALL\n'),
    });
    await unlink(join(sudoers, 'ops'));
    await waitFor(() => r.events.length >= 2, undefined, 'the removed sudoers file');
    expect(changes(r.events)[1]).toMatchObject({ path: join(sudoers, 'ops'), change: 'deleted' });
  });

  it('a change made while the agent was down is reported at the next start', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const keys = join(dir, 'authorized_keys');
    await writeFile(keys, 'ssh-ed25519 AAAA alice\n');
    const first = await start({ paths: [keys], watch: false });
    first.monitor.stop();
    const stored = JSON.parse(await readFile(join(dir, 'state', 'fim-baseline.json'), 'utf8'));
    expect(stored.entries[keys]).toMatchObject({
      kind: 'file',
      sha256: sha('ssh-ed25519 AAAA alice\n'),
    });

    await appendFile(keys, 'ssh-rsa BBBB mallory\n');
    const second = await start({ paths: [keys], watch: false });
    expect(changes(second.events)).toMatchObject([{ path: keys, change: 'modified' }]);
    // And only once: a third start has nothing to say.
    second.monitor.stop();
    const third = await start({ paths: [keys], watch: false });
    expect(third.events).toEqual([]);
  });

  it('the periodic rescan finds a change with no watch (injected clock)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const file = join(dir, 'sshd_config');
    await writeFile(file, 'PermitRootLogin no\n');
    const clock = new ManualClock();
    const r = await start({ paths: [file], watch: false, rescanMs: 300_000 }, clock);
    await writeFile(file, 'PermitRootLogin prohibit-password\n');
    const scans = r.monitor.scans;
    clock.advance(300_000);
    await waitFor(() => r.monitor.scans > scans, undefined, 'the periodic rescan');
    expect(changes(r.events)).toMatchObject([
      { change: 'modified', new_sha256: sha('PermitRootLogin prohibit-password\n') },
    ]);
  });

  it('an unreadable path is reported once, and a change made meanwhile when it can be read again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const shadow = join(dir, 'shadow');
    await writeFile(shadow, 'root:*:1::::::\n');
    // Injected: root reads any file, so EACCES is made here, for this one path.
    let denied = false;
    const reader: FimReader = {
      inspect: (p) =>
        denied && p === shadow
          ? Promise.resolve({ kind: 'unreadable', reason: 'EACCES' })
          : fsReader.inspect(p),
    };
    const r = await start({ paths: [shadow], watch: false, reader });
    denied = true;
    for (let i = 0; i < 3; i++) await r.monitor.scanNow();
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      severity: 'warning',
      attributes: { 'event.type': 'fim_unreadable', path: shadow, error: 'EACCES' },
    });
    expect(r.warnings.filter((w) => w.includes('cannot read'))).toHaveLength(1);
    await writeFile(shadow, 'root:$6$new:1::::::\n');
    denied = false;
    await r.monitor.scanNow();
    expect(changes(r.events)[1]).toMatchObject({
      change: 'modified',
      old_sha256: sha('root:*:1::::::\n'),
      new_sha256: sha('root:$6$new:1::::::\n'),
    });
    // Unreadable again later: reported again (once).
    denied = true;
    await r.monitor.scanNow();
    await r.monitor.scanNow();
    expect(r.events.filter((e) => e.attributes?.['event.type'] === 'fim_unreadable')).toHaveLength(
      2,
    );
  });

  it('a path that is not a regular file (a socket) is unreadable, said once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const sock = join(dir, 'sudoers');
    server = createServer();
    await new Promise<void>((res) => server!.listen(sock, res));
    const r = await start({ paths: [sock], watch: false });
    await r.monitor.scanNow();
    expect(changes(r.events)).toEqual([
      { 'event.type': 'fim_unreadable', path: sock, error: 'not a regular file' },
    ]);
  });

  it('a damaged baseline is set aside and a new one taken, without crashing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const file = join(dir, 'group');
    await writeFile(file, 'root:x:0:\n');
    await mkdir(join(dir, 'state'));
    await writeFile(join(dir, 'state', 'fim-baseline.json'), '{"version":1,"pa');
    const r = await start({ paths: [file], watch: false });
    expect(r.events).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/fim-baseline\.json is unreadable; moved to .*damaged/);
    await readFile(join(dir, 'state', 'fim-baseline.json.damaged'), 'utf8');
    const stored = JSON.parse(await readFile(join(dir, 'state', 'fim-baseline.json'), 'utf8'));
    expect(stored.entries[file]).toMatchObject({ kind: 'file', sha256: sha('root:x:0:\n') });
  });

  it('a change made between the first hashes and the watch being armed is reported at once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    const file = join(dir, 'sudoers');
    await writeFile(file, 'root ALL=(ALL) ALL\n');
    // The real reader, which edits the file right after its first read: the change lands after
    // the first scan hashed the file and before that scan arms the directory's watch.
    let first = true;
    const reader: FimReader = {
      async inspect(path) {
        const state = await fsReader.inspect(path);
        if (first && path === file) {
          first = false;
          await appendFile(file, 'eve ALL=(ALL) NOPASSWD: ALL\n');
        }
        return state;
      },
    };
    const r = await start({ paths: [file], reader });
    await waitFor(() => r.events.length > 0, undefined, 'the change reported');
    expect(changes(r.events)).toEqual([
      expect.objectContaining({ path: file, change: 'modified' }),
    ]);
  });
});
