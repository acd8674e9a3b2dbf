// A real, small filesystem for disk-full tests: a tmpfs mounted in a temp dir. Mounting needs
// root (CAP_SYS_ADMIN); where that is not possible, `mountTmpfs` says why and the caller skips.
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeBytes } from '../../electron/core/store/disk-space.js';

const run = promisify(execFile);

export interface Tmpfs {
  dir: string;
  /** Fill the disk with a ballast file until writes fail (ENOSPC). */
  fill(): Promise<void>;
  /** Delete the ballast: the space is back. */
  release(): Promise<void>;
  free(): Promise<number>;
  unmount(): Promise<void>;
}

export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs | { skip: string }> {
  if (process.platform !== 'linux') return { skip: 'tmpfs mounts need Linux' };
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root' };
  const dir = await mkdtemp(join(tmpdir(), 'meridian-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    await rmdir(dir).catch(() => {});
    return { skip: `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}` };
  }
  const ballast = join(dir, 'ballast');
  return {
    dir,
    async fill() {
      const handle = await open(ballast, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) await handle.appendFile(chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        await handle.close();
      }
      // Top off the last pages with small writes.
      const small = await open(ballast, 'a');
      try {
        for (;;) await small.appendFile(Buffer.alloc(512, 1));
      } catch {
        // full
      } finally {
        await small.close();
      }
    },
    async release() {
      await rm(ballast, { force: true });
    },
    async free() {
      return (await freeBytes(dir)) ?? 0;
    },
    async unmount() {
      await run('umount', ['-l', dir]).catch(() => {});
      await rmdir(dir).catch(() => {});
    },
  };
}
