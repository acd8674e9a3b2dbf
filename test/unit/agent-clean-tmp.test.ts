// clean_tmp's own guards, on real files: only under an allowed directory (through symlinks
// too), only files older than the cut-off, never through a symlink.
import { existsSync } from 'node:fs';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanTmp } from '../../agent/actions/scripts/clean-tmp.js';
import { tempDir } from '../helpers/core.js';

const DAY = 86_400_000;
const NOW = Date.now();

async function oldFile(path: string, bytes: number) {
  await writeFile(path, Buffer.alloc(bytes));
  const t = (NOW - 10 * DAY) / 1000;
  await utimes(path, t, t);
}

describe('clean_tmp', () => {
  it('removes only old files under the directory, and reports them', async () => {
    const allowed = await tempDir();
    const dir = join(allowed, 'cache');
    await mkdir(join(dir, 'deep'), { recursive: true });
    await oldFile(join(dir, 'old'), 100);
    await oldFile(join(dir, 'deep', 'older'), 50);
    await writeFile(join(dir, 'new'), 'x');
    const r = await cleanTmp({ dir, allow: [allowed], olderThanMs: DAY, now: NOW });
    expect(r.bytesFreed).toBe(150);
    expect(r.removed.map((f) => f.path).sort()).toEqual([
      join(dir, 'deep', 'older'),
      join(dir, 'old'),
    ]);
    expect(existsSync(join(dir, 'new'))).toBe(true);
    expect(existsSync(join(dir, 'deep'))).toBe(true);
  });

  it('refuses a directory outside the allow-list, also when reached through a symlink', async () => {
    const allowed = await tempDir();
    const elsewhere = await tempDir();
    await oldFile(join(elsewhere, 'precious'), 10);
    await expect(
      cleanTmp({ dir: elsewhere, allow: [allowed], olderThanMs: DAY, now: NOW }),
    ).rejects.toThrow(/is not under an allowed directory/);
    await symlink(elsewhere, join(allowed, 'sneaky'));
    await expect(
      cleanTmp({ dir: join(allowed, 'sneaky'), allow: [allowed], olderThanMs: DAY, now: NOW }),
    ).rejects.toThrow(/is not under an allowed directory/);
    await expect(
      cleanTmp({
        dir: `${allowed}/../${elsewhere.split('/').pop()}`,
        allow: [allowed],
        olderThanMs: DAY,
        now: NOW,
      }),
    ).rejects.toThrow(/is not under an allowed directory/);
    expect(existsSync(join(elsewhere, 'precious'))).toBe(true);
  });

  it('never follows a symlink inside the directory: the link goes, its target stays', async () => {
    const allowed = await tempDir();
    const elsewhere = await tempDir();
    await oldFile(join(elsewhere, 'precious'), 10);
    await symlink(elsewhere, join(allowed, 'dir-link'));
    await symlink(join(elsewhere, 'precious'), join(allowed, 'file-link'));
    const t = (NOW - 10 * DAY) / 1000;
    const { lutimes } = await import('node:fs/promises');
    await lutimes(join(allowed, 'dir-link'), t, t);
    await lutimes(join(allowed, 'file-link'), t, t);
    const r = await cleanTmp({ dir: allowed, allow: [allowed], olderThanMs: DAY, now: NOW });
    expect(r.removed.map((f) => f.path).sort()).toEqual([
      join(allowed, 'dir-link'),
      join(allowed, 'file-link'),
    ]);
    expect(r.bytesFreed).toBe(0);
    expect(existsSync(join(elsewhere, 'precious'))).toBe(true);
  });
});
