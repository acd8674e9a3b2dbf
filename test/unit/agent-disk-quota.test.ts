// Quota-managed directories as disk usage: the flag's value and the size of a real directory.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryBytes, parseDiskQuota, quotaSample } from '../../agent/disk-quota.js';
import { tempDir } from '../helpers/core.js';

describe('disk quota', () => {
  it.each([
    ['/srv/spool=1048576', { dir: '/srv/spool', bytes: 1_048_576 }],
    ['/srv/spool=20GiB', { dir: '/srv/spool', bytes: 20 * 1024 ** 3 }],
    ['/srv/spool=500MB', { dir: '/srv/spool', bytes: 500e6 }],
    ['/a=b=10kib', { dir: '/a=b', bytes: 10_240 }],
  ])('%s', (raw, expected) => {
    expect(parseDiskQuota(raw)).toEqual(expected);
  });

  it.each(['/srv', '=10', '/srv=', '/srv=10 bananas', '/srv=-5', '/srv=0', '/srv=1.5GB'])(
    'refuses %s',
    (raw) => {
      expect(parseDiskQuota(raw)).toHaveProperty('error');
    },
  );

  it('counts the bytes of files under the directory, recursively, without following symlinks', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(join(outside, 'big'), Buffer.alloc(1_000_000));
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'one'), Buffer.alloc(1_000));
    await writeFile(join(dir, 'a', 'b', 'two'), Buffer.alloc(2_500));
    await symlink(outside, join(dir, 'link-to-dir'));
    await symlink(join(outside, 'big'), join(dir, 'a', 'link-to-file'));
    expect(await directoryBytes(dir)).toBe(3_500);
    expect(await quotaSample({ dir, bytes: 7_000 }, () => 42)).toEqual({
      name: 'disk_usage',
      value: 50,
      ts: 42,
      unit: '%',
      kind: 'gauge',
      labels: { mount: dir },
    });
  });

  it('refuses to walk a directory past its entry bound (the agent stays cheap)', async () => {
    const dir = await tempDir();
    for (let i = 0; i < 5; i++) await writeFile(join(dir, `f${i}`), 'x');
    await expect(directoryBytes(dir, 3)).rejects.toThrow(/more than 3 entries/);
  });
});
