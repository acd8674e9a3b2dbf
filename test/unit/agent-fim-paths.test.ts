// Which paths FIM watches: the default list with each passwd home's authorized_keys, and the
// --fim-paths flag's parsing; plus the baseline judgement on its own (pure).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../agent/security/fim/fim-baseline.js';
import { defaultFimPaths, parseFimPaths } from '../../agent/security/fim/fim-paths.js';

describe('FIM paths', () => {
  it('the default list adds authorized_keys of every home in the passwd file, once each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-fim-'));
    try {
      const passwd = join(dir, 'passwd');
      await writeFile(
        passwd,
        [
          'root:x:0:0:root:/root:/bin/bash',
          'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
          'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
          'bob:x:1001:1001::/home/alice:/bin/sh', // shares alice's home
          'broken line',
          '',
        ].join('\n'),
      );
      expect(await defaultFimPaths(passwd)).toEqual([
        '/etc/passwd',
        '/etc/shadow',
        '/etc/group',
        '/etc/sudoers',
        '/etc/sudoers.d',
        '/etc/ssh/sshd_config',
        '/home/alice/.ssh/authorized_keys',
        '/root/.ssh/authorized_keys',
        '/usr/sbin/.ssh/authorized_keys',
      ]);
      // No passwd file: the fixed list alone.
      expect(await defaultFimPaths(join(dir, 'none'))).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--fim-paths takes absolute paths, comma-separated, and names a bad one', () => {
    expect(parseFimPaths('/etc/passwd, /srv/app.conf,,/etc/passwd')).toEqual({
      paths: ['/etc/passwd', '/srv/app.conf'],
    });
    expect(parseFimPaths('/etc/passwd,etc/shadow')).toEqual({
      error: "'etc/shadow' is not an absolute path",
    });
    expect(parseFimPaths(' , ')).toEqual({ error: 'needs at least one path' });
  });
});

describe('FIM baseline judgement', () => {
  const file = (sha256: string) => ({ kind: 'file' as const, sha256, size: 1 });
  const seen = (files: Record<string, ReturnType<typeof file> | { kind: 'absent' }>) => ({
    dirs: new Set<string>(),
    files: new Map(Object.entries(files)),
  });

  it('a newly configured path is baselined silently; a known one is judged', () => {
    const first = judge(null, ['/a'], seen({ '/a': file('1') }));
    expect(first.findings).toEqual([]);
    const added = judge(first.next, ['/a', '/b'], seen({ '/a': file('2'), '/b': file('9') }));
    expect(added.findings).toEqual([
      {
        kind: 'change',
        path: '/a',
        change: 'modified',
        old: { sha256: '1', size: 1 },
        now: { sha256: '2', size: 1 },
      },
    ]);
    const gone = judge(
      added.next,
      ['/a', '/b'],
      seen({ '/a': { kind: 'absent' }, '/b': file('9') }),
    );
    expect(gone.findings).toMatchObject([{ path: '/a', change: 'deleted' }]);
    expect(gone.next.entries['/a']).toEqual({ kind: 'absent' });
    const back = judge(gone.next, ['/a', '/b'], seen({ '/a': file('3'), '/b': file('9') }));
    expect(back.findings).toMatchObject([{ path: '/a', change: 'created' }]);
  });
});
